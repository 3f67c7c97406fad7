# Every fault kind against the real services; reverts leave nothing behind;
# passwords never shown; ERROR, deadline and signal paths.
sbx up --no-bugs
F=$WORK/faults; mkdir -p "$F"
PIDFILE=$SBX/target.pid
head_() {	# the common head of the drills below
	cat <<YAML
target: $TARGET
services:
  cache: { kind: redis, url: "$REDIS_URL", stop: [shakedown, sandbox, stop, redis], start: [shakedown, sandbox, start, redis] }
  db: { kind: postgres, url: "postgresql://shakedown:supersecret@127.0.0.1:$PG_PORT/postgres" }
  app: { kind: process, pidfile: "$PIDFILE", start: [shakedown, sandbox, start, target] }
probes:
  health: { get: /health, every: 100ms, timeout: 3s }
  ready: { get: /api/ready, every: 100ms, timeout: 3s }
YAML
}
run_drill() {	# run_drill NAME: runs $F/NAME.yaml, sets RC, report in $F/NAME
	"$SHAKEDOWN" run -r "$F/$1" "$F/$1.yaml" >"$F/$1.out" 2>&1; RC=$?
}
show_drill() {	# show_drill NAME: what it printed and its faults, for a failure
	sed 's/^/        | /' "$F/$1.out"
	grep -A8 '^## Faults' "$F/$1/REPORT.md" 2>/dev/null | sed 's/^/        | /'
	# a failed revert must not turn every later drill into a refusal
	"$SHAKEDOWN" -q recover >/dev/null 2>&1
}
jq_() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# redis pause: bounded, ends by itself, revert waits until PING answers
{ echo "drill: pause"; head_; cat <<'YAML'
steps:
  - pause: { service: cache, for: 2s }
  - expect: { probe: health, json: { status: degraded }, within: 3s, as: detect }
  - resume: cache
  - expect: { probe: health, json: { status: ok }, within: 5s }
YAML
} >"$F/pause.yaml"
run_drill pause
eq "redis pause drill passes" 0 "$RC"
eq "redis answers after the pause drill" PONG "$(redis-cli -p "$REDIS_PORT" PING)"

# redis client-kill: the app's connections die, the app reconnects by itself
{ echo "drill: ckill"; head_; cat <<'YAML'
steps:
  - client-kill: cache
  - expect: { probe: health, json: { status: ok }, holds: 1s }
YAML
} >"$F/ckill.yaml"
run_drill ckill
eq "client-kill drill passes" 0 "$RC"
contains "client-kill counted the killed clients" "client connection(s) killed" "$(cat "$F/ckill/REPORT.md")"

# postgres terminate-backends and hold-connections
{ echo "drill: pgfaults"; head_; cat <<'YAML'
steps:
  - terminate-backends: db
  - expect: { probe: ready, status: 200, within: 3s }
  - hold-connections: { service: db, count: 20 }
  - expect: { probe: ready, status: 200, holds: 1s }
YAML
} >"$F/pgfaults.yaml"
run_drill pgfaults
eq "postgres faults drill passes" 0 "$RC"
contains "terminate-backends counted its victims" "backend(s) terminated" "$(cat "$F/pgfaults/REPORT.md")"
contains "hold-connections held them" "holding 20 connection(s)" "$(cat "$F/pgfaults/REPORT.md")"
eq "held connections released after the drill" 0 "$(psql "$DB_URL" -Atc "select count(*) from pg_stat_activity where application_name LIKE 'shakedown-hold%'")"
out=$(cat "$F/pgfaults.out" "$F/pgfaults/REPORT.md" "$F/pgfaults/result.json" "$F/pgfaults/junit.xml"; "$SHAKEDOWN" plan "$F/pgfaults.yaml")
case "$out" in *supersecret*) fail "password never shown in output, reports or plan";; *) pass "password never shown in output, reports or plan";; esac
contains "the password shows as ***" "shakedown:***@127.0.0.1" "$out"

# process pause (SIGSTOP) of the target: no answer, then back; never left stopped
{ echo "drill: freeze"; head_; cat <<'YAML'
steps:
  - pause: app
  - expect: { probe: health, status: 200, never: true }
  - wait: 1s
  - resume: app
  - expect: { probe: health, status: 200, within: 5s, as: thaw }
YAML
} >"$F/freeze.yaml"
run_drill freeze
eq "process pause drill passes" 0 "$RC"
ok "target not left stopped" bash -c "! grep -q ') T' /proc/$(cat "$PIDFILE")/stat"

# kill the target; the drill's end reverts it with its start command
{ echo "drill: killapp"; head_; cat <<'YAML'
steps:
  - kill: app
  - expect: { process: app, alive: false, within: 2s }
  - expect: { probe: health, status: 200, never: true }
  - wait: 1s
YAML
} >"$F/killapp.yaml"
run_drill killapp
eq "kill drill passes and reverts at the end" 0 "$RC"
[ "$RC" = 0 ] || show_drill killapp
eq "target answers again after the kill drill" 200 "$(code "$TARGET/health")"

# A killed server with many threads is a zombie before its last thread lets
# go of the port (measured: 2-20 ms): a start right then waits for the port
# instead of refusing it. Here the dying server is a listener that closes
# 0.5 s after the start begins, while the pidfile names a dead pid.
"$SHAKEDOWN" sandbox stop target >/dev/null 2>&1
out=$(python3 - "$TARGET" "$PIDFILE" "$SHAKEDOWN" <<'PY' 2>&1
import socket, subprocess, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((u.hostname, u.port)); l.listen()
dead = subprocess.Popen(["true"]); dead.wait()
open(sys.argv[2], "w").write("%d\n" % dead.pid)
p = subprocess.Popen([sys.argv[3], "sandbox", "start", "target"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                     text=True)
time.sleep(0.5); l.close()
err = p.communicate()[1]
print(("rc=%d %s" % (p.returncode, err.strip())).strip())
PY
)
eq "start waits for a dying server's port instead of refusing" "rc=0" "$out"
eq "target answers after that start" 200 "$(code "$TARGET/health")"

# not steady before: ERROR, exit 1, nothing applied
marker=$WORK/not-steady-marker
cat >"$F/unsteady.yaml" <<YAML
drill: unsteady
target: $TARGET
services:
  app: { kind: process, stop: [touch, "$marker"], start: [true] }
probes:
  nope: { get: /does-not-exist, every: 100ms }
steady:
  - { probe: nope, status: 200 }
steady_timeout: 1s
steps:
  - stop: app
YAML
run_drill unsteady
eq "not steady before: exit 1" 1 "$RC"
contains "not steady before: verdict ERROR with the reason" "not steady before the fault: nothing was applied" "$(cat "$F/unsteady.out")"
ok "not steady before: the fault was not applied" test ! -e "$marker"

# a stop command that hangs is killed at its timeout; ERROR, exit 4
cat >"$F/hangstop.yaml" <<YAML
drill: hangstop
services:
  app: { kind: process, stop: [sleep, "30"], start: [true], timeout: 1s }
steps:
  - stop: app
YAML
start=$(now_ms); run_drill hangstop; took=$(( $(now_ms) - start ))
eq "hanging stop command: exit 4" 4 "$RC"
contains "hanging stop command: killed at its timeout" "did not finish within 1000ms and was killed" "$(cat "$F/hangstop.out")"
le "hanging stop command: the run did not wait for it (${took}ms)" "$took" 10000
ok "no sleep 30 left behind" bash -c "! pgrep -f '^sleep 30$'"

# max_duration: revert, ERROR, exit 3
{ echo "drill: deadline"; echo "max_duration: 2s"; head_; cat <<'YAML'
steps:
  - stop: cache
  - wait: 30s
YAML
} >"$F/deadline.yaml"
run_drill deadline
eq "max_duration reached: exit 3" 3 "$RC"
contains "max_duration: the reason" "max_duration reached: faults reverted" "$(cat "$F/deadline.out")"
eq "max_duration: redis reverted" PONG "$(redis-cli -p "$REDIS_PORT" PING)"

# SIGINT mid-drill: every fault reverted, exit 3, the report still written
{ echo "drill: interrupt"; head_; cat <<'YAML'
steps:
  - stop: cache
  - wait: 30s
YAML
} >"$F/interrupt.yaml"
"$SHAKEDOWN" run -r "$F/interrupt" "$F/interrupt.yaml" >"$F/interrupt.out" 2>&1 &
rp=$!
wait_for 10 bash -c "! redis-cli -p $REDIS_PORT PING" >/dev/null
kill -INT "$rp"; wait "$rp"; eq "SIGINT: exit 3" 3 $?
eq "SIGINT: redis reverted" PONG "$(redis-cli -p "$REDIS_PORT" PING)"
eq "SIGINT: verdict ABORTED in the report" ABORTED "$(jq_ "$F/interrupt/result.json" 'r["verdict"]')"

# a step's timeout: past it, revert, ERROR, exit 3
{ echo "drill: steptimeout"; head_; cat <<'YAML'
steps:
  - stop: cache
  - expect: { probe: health, status: 418, within: 30s }
    timeout: 1s
YAML
} >"$F/steptimeout.yaml"
start=$(now_ms); run_drill steptimeout; took=$(( $(now_ms) - start ))
eq "step timeout: exit 3" 3 "$RC"
contains "step timeout: the reason" "passed its timeout: faults reverted" "$(cat "$F/steptimeout.out")"
le "step timeout: did not wait the 30s (${took}ms)" "$took" 15000
eq "step timeout: redis reverted" PONG "$(redis-cli -p "$REDIS_PORT" PING)"
