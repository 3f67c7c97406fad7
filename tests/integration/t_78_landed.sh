# Faults that prove they landed (issue 39): each kind measures its own
# effect, apart from the service's answers; a fault that is applied but
# silent — a stop command that stops nothing, a pidfile naming a process
# beside the server, a process that ignores its signal or is continued, a
# proxy nobody connects through, a filter nothing matches, a process that
# left the limited cgroup, a hog or burner killed behind the fault's back —
# ends INVALID (exit 8), never PASS or FAIL, with the figure measured; the
# same fault done right is confirmed. SD_LANDED_REPEAT=20 (make
# test-landed) runs every silent case 20 times.
L=$WORK/landed; mkdir -p "$L"
ROUTE_SOCK=$SBX/proxy.sock
LREP=${SD_LANDED_REPEAT:-1}
LPIDS=()
landed_cleanup() {
	for p in "${LPIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	LPIDS=()
	[ -n "${LNS:-}" ] && ip netns del "$LNS" 2>/dev/null
	return 0
}
CLEANUPS+=(landed_cleanup)
sbx up --no-bugs >/dev/null 2>&1
lj() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
lhead() {	# the common head: the sandbox target, its dependencies
	cat <<YAML
target: $TARGET
services:
  cache: { kind: redis, url: "$REDIS_URL", stop: [${1:-shakedown, sandbox, stop, redis}], start: [shakedown, sandbox, start, redis] }
  db: { kind: postgres, url: "$DB_URL", stop: [${2:-shakedown, sandbox, stop, postgres}], start: [shakedown, sandbox, start, postgres] }
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
YAML
}
# lrun NAME: run $L/NAME.yaml; RC, and in OUT what it printed
lrun() { "$SHAKEDOWN" run -r "$L/$1" "$L/$1.yaml" >"$L/$1.out" 2>&1; RC=$?; OUT=$(cat "$L/$1.out"); }
# silent NAME WHAT FIGURE: the run of NAME ended INVALID (exit 8) for its
# fault, the figure says what was measured; LREP times
silent() {
	local name=$1 what=$2 figure=$3 i good=0 bad=""
	for i in $(seq "$LREP"); do
		lrun "$name"
		if [ "$RC" = 8 ] && [ "$(lj "$L/$name/result.json" 'r["verdict"]')" = INVALID ] &&
			[ "$(lj "$L/$name/result.json" '[f.get("proof") for f in r["faults"]]')" != "${SILENT_OK:-x}" ] &&
			[[ $OUT == *"$figure"* ]] && [[ $OUT != *"landed? confirmed"* ]]; then
			good=$((good + 1))
		else
			bad="$RC: $(echo "$OUT" | head -c 600)"
		fi
	done
	eq "$what: INVALID (exit 8) in $LREP of $LREP, saying '$figure'" "$LREP" "$good"
	[ -n "$bad" ] && echo "        last miss: $bad"
	return 0
}
# confirmed NAME WHAT: the run of NAME passed with its fault confirmed
confirmed() {
	lrun "$1"
	eq "$2: PASS with the fault confirmed" "0 confirmed" \
		"$RC $(lj "$L/$1/result.json" '",".join(sorted(set(str(f.get("proof")) for f in r["faults"])))')"
}

# --- redis: a stop command that returns 0 and stops nothing -------------
{ echo "drill: redis-silent"; lhead true; cat <<'YAML'
steps:
  - stop: cache
  - expect: { probe: health, status: 200, holds: 300ms }
  - start: cache
YAML
} >"$L/redis-silent.yaml"
silent redis-silent "redis stop that stopped nothing (stop: [true])" "still answers PING"
contains "the report says it did not land" "a fault did not land" "$(cat "$L/redis-silent/REPORT.md")"
contains "the Faults table has the figure" "mismatch: redis still answers PING" "$(cat "$L/redis-silent/REPORT.md")"
ok "JUnit has it as an error" grep -q '<error message="fault 1 (line' "$L/redis-silent/junit.xml"
ok "the chart says INVALID" grep -q 'data-verdict="INVALID"' "$L/redis-silent/timeline.svg"
eq "result.json: the fault's proof and figure" "mismatch True" \
	"$(lj "$L/redis-silent/result.json" 'r["faults"][0]["proof"] + " " + str("PING" in r["faults"][0]["proof_figure"])')"
# the same drill with the real stop: confirmed
{ echo "drill: redis-real"; lhead; cat <<'YAML'
steps:
  - stop: cache
  - expect: { probe: health, json: { status: degraded }, within: 5s }
  - start: cache
  - expect: { probe: health, json: { status: ok }, within: 10s }
YAML
} >"$L/redis-real.yaml"
confirmed redis-real "redis stop by the sandbox"
# what confirm costs: each measure under 100 ms
# what confirm costs: each measure under 100 ms, every phase said
ms=$(lj "$L/redis-real/result.json" '" ".join(e["event"].split("(")[1].split("ms)")[0] for e in r["timeline"] if e["event"].split(" ")[0] in ("landed?","held?","after?"))')
eq "the stop was measured after the apply and before the revert" 2 "$(echo $ms | wc -w)"
worst=$(echo "$ms" | tr ' ' '\n' | sort -n | tail -1)
le "a measure of its own effect took under 100 ms (worst ${worst:-none}ms)" "${worst:-1000}" 99

# --- postgres: the same, SELECT 1 still answers ---------------------------
{ echo "drill: pg-silent"; lhead "shakedown, sandbox, stop, redis" true; cat <<'YAML'
steps:
  - stop: db
  - expect: { probe: health, status: 200, holds: 300ms }
  - start: db
YAML
} >"$L/pg-silent.yaml"
silent pg-silent "postgres stop that stopped nothing" "still answers SELECT 1"

# --- postgres terminate-backends of an application nobody runs ------------
{ echo "drill: term-silent"; lhead; cat <<'YAML'
steps:
  - terminate-backends: { service: db, application: nobody-runs-this }
  - expect: { probe: health, status: 200, holds: 300ms }
YAML
} >"$L/term-silent.yaml"
silent term-silent "terminate-backends that matched no backend" "none matched"

# --- a process: the pidfile names a worker beside the server --------------
# a parent listening on a port, its child holding the same socket (a
# gunicorn master and a worker): the pidfile names the child, so the
# parent — outside the child's tree — still serves the port after the kill
LPORT=$((BASE + 903))
python3 - "$LPORT" "$L/srv.pid" "$L/side.pid" <<'PY' &
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
if os.fork() == 0:          # the side process: holds the socket, never serves
    open(sys.argv[3] + ".tmp", "w").write(str(os.getpid()))
    os.rename(sys.argv[3] + ".tmp", sys.argv[3])
    time.sleep(600); sys.exit(0)
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(600)
PY
LPIDS+=($!)
wait_for 5 test -s "$L/side.pid" >/dev/null
LPIDS+=("$(cat "$L/side.pid")")
cat >"$L/kill-side.yaml" <<YAML
drill: kill-side
target: $TARGET
services:
  srv: { kind: process, pidfile: "$L/side.pid", start: [sh, -c, 'sleep 600 & echo \$! >"$L/side.pid"'] }
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
steps:
  - kill: srv
  - expect: { probe: health, status: 200, holds: 300ms }
YAML
silent kill-side "a kill of a process beside the server (the port is still served)" "still served by pid $(cat "$L/srv.pid")"
kill -KILL "$(cat "$L/side.pid")" 2>/dev/null

# --- a signal the process ignores -----------------------------------------
bash -c 'trap "" TERM; while :; do sleep 0.05; done' & LPIDS+=($!); IGN=$!
cat >"$L/sig-ignored.yaml" <<YAML
drill: sig-ignored
target: $TARGET
services:
  p: { kind: process, pid: $IGN, start: [true] }
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
steps:
  - signal: { service: p, signal: TERM }
  - expect: { probe: health, status: 200, holds: 300ms }
YAML
silent sig-ignored "SIGTERM to a process that ignores it" "pid $IGN is still running"

# --- a pause something else undoes at once ---------------------------------
sleep 600 & LPIDS+=($!); PZ=$!
( while :; do kill -CONT "$PZ" 2>/dev/null; sleep 0.005; done ) & LPIDS+=($!)
cat >"$L/pause-undone.yaml" <<YAML
drill: pause-undone
target: $TARGET
services:
  p: { kind: process, pid: $PZ }
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
steps:
  - pause: p
  - expect: { probe: health, status: 200, holds: 300ms }
  - resume: p
YAML
silent pause-undone "a pause something continues at once" "something continued it"

# --- a proxy of its own that nobody connects through -----------------------
cat >"$L/proxy-unused.yaml" <<YAML
drill: proxy-unused
target: $TARGET
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
steps:
  - proxy: { listen: "127.0.0.1:$((BASE + 904))", upstream: "127.0.0.1:$REDIS_PORT", latency: 200ms }
  - expect: { probe: health, status: 200, holds: 500ms }
YAML
silent proxy-unused "proxy toxics on a route the service does not use" "does not connect through the proxy"
# the sandbox's route, which the target uses: confirmed, latency measured
cat >"$L/proxy-used.yaml" <<YAML
drill: proxy-used
target: $TARGET
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
  data: { get: /api/records, every: 100ms, timeout: 3s }
steps:
  - proxy: { route: "$ROUTE_SOCK#postgres", latency: 150ms }
  - expect: { probe: data, status: 200, holds: 1s }
YAML
confirmed proxy-used "proxy latency on the route the target uses"
contains "its figure: the latency measured on the service's own data" "latency 150ms asked" "$(cat "$L/proxy-used.out")"
held=$(grep -o 'held [0-9.]*-' "$L/proxy-used.out" | head -1 | tr -dc '0-9.' )
ge "every piece of it was held at least the 150 ms asked (${held} ms)" "${held:-0}" 148

# --- a filter on a device the service's traffic does not leave by ---------
out=$(printf 'drill: x\nservices: { db: { kind: postgres, url: "%s" } }\nsteps:\n  - bandwidth: { service: db, dev: eth0, rate: 1kbit }\n' "$DB_URL" >"$L/eth0.yaml"; "$SHAKEDOWN" validate "$L/eth0.yaml" 2>&1); rc=$?
eq "bandwidth on eth0 for a database on 127.0.0.1: refused at validate (exit 2)" 2 "$rc"
contains "and says by which device its traffic goes" "eth0.yaml:4:" "$out"
contains "... over lo" "is reached over dev lo, not eth0" "$out"
# a TBF on a port nothing talks to, in a namespace of its own
LNS=sdland$$
ip netns add "$LNS"; ip -n "$LNS" link set lo up
for i in $(seq "$LREP"); do
	ip netns exec "$LNS" "$SHAKEDOWN" fault bandwidth dev=lo rate=1mbit port=9 --for 1s >"$L/tbf.out" 2>&1; rc=$?
	[ "$rc" = 8 ] && grep -q "no packet matched" "$L/tbf.out" && echo x
done >"$L/tbf.count"
eq "TBF on a port nothing talks to: exit 8 in $LREP of $LREP (no packet matched)" "$LREP" "$(grep -c x "$L/tbf.count")"
# and with traffic to it: confirmed, and its rate held
ip netns exec "$LNS" python3 -c '
import socket, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 9000)); s.listen(1)
def sink():
    c, _ = s.accept()
    while c.recv(65536): pass
threading.Thread(target=sink, daemon=True).start()
c = socket.create_connection(("127.0.0.1", 9000)); c.setblocking(True)
end = time.time() + 4
while time.time() < end: c.send(b"x" * 8192)
' & LPIDS+=($!)
sleep 0.3
ip netns exec "$LNS" "$SHAKEDOWN" fault bandwidth dev=lo rate=1mbit port=9000 --for 2s >"$L/tbf2.out" 2>&1; rc=$?
eq "TBF on a port with traffic: confirmed (exit 0)" 0 "$rc"
contains "... with the bytes through it against the limit" "byte(s)/s through it, limit 125000" "$(cat "$L/tbf2.out")"
ip netns del "$LNS"; LNS=

# --- cpu: the process leaves the limited cgroup -----------------------------
if [ -d /sys/fs/cgroup/cpu ] || grep -qw cpu /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	CGTOP=/sys/fs/cgroup/cpu; [ -d "$CGTOP" ] || CGTOP=/sys/fs/cgroup/unified
	sh -c 'while :; do :; done' & LPIDS+=($!); SPIN=$!
	(sleep 0.5; echo "$SPIN" >"$CGTOP/cgroup.procs") & LPIDS+=($!)
	"$SHAKEDOWN" fault cpu pid=$SPIN limit=20% via=cgroup --for 2s >"$L/cpu.out" 2>&1; rc=$?
	eq "cpu limit on a process that moved to another cgroup: exit 8" 8 "$rc"
	contains "... no process left in the limited cgroup" "no process left in the limited cgroup" "$(cat "$L/cpu.out")"
	"$SHAKEDOWN" fault cpu pid=$SPIN limit=20% via=cgroup --for 2s >"$L/cpu2.out" 2>&1; rc=$?
	eq "cpu limit on a busy process that stays: confirmed (exit 0)" 0 "$rc"
	contains "... throttled, its share measured against the limit" "limit 20% (+15%)" "$(cat "$L/cpu2.out")"
	kill -KILL "$SPIN" 2>/dev/null
else
	echo "  skip  cpu: no cpu controller"
fi

# --- memory: the hog is killed behind the fault's back --------------------
if [ -d /sys/fs/cgroup/memory ]; then
	( sleep 1.5; for f in $(find /sys/fs/cgroup/memory -path '*shakedown-mem-*' -name cgroup.procs); do
		for p in $(cat "$f"); do kill -KILL "$p"; done; done ) & LPIDS+=($!)
	"$SHAKEDOWN" fault memory size=64MiB scope=machine --for 3s >"$L/mem.out" 2>&1; rc=$?
	eq "memory whose hog was killed meanwhile: exit 8" 8 "$rc"
	contains "... it did not hold" "it did not hold" "$(cat "$L/mem.out")"
fi

# --- cpu_burn: burners killed meanwhile -------------------------------------
( sleep 1; pkill -KILL '^sdburn' ) & LPIDS+=($!)
"$SHAKEDOWN" fault cpu_burn cores=1 --for 3s >"$L/burn.out" 2>&1; rc=$?
eq "cpu_burn whose burners were killed meanwhile: exit 8" 8 "$rc"
"$SHAKEDOWN" fault cpu_burn cores=1 --for 1s >"$L/burn2.out" 2>&1; rc=$?
eq "cpu_burn left alone: confirmed (exit 0)" 0 "$rc"
contains "... saying so" "landed? confirmed" "$(cat "$L/burn2.out")"

# plan and -n say what each fault will measure
contains "plan: what the stop will measure" "proves it landed: PING fails until the revert" \
	"$("$SHAKEDOWN" plan "$L/redis-real.yaml" 2>&1)"
contains "run -n: the proxy's" "proves it landed: the service's connections pass through the route" \
	"$("$SHAKEDOWN" run -n "$L/proxy-used.yaml" 2>&1)"
landed_cleanup
