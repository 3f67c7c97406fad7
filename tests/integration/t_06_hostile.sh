# Hostile input, as an adversarial new user would give it: nothing crashes,
# hangs or goes quadratic; every bad file is file:line:col at the real
# position, exit 2, nothing applied; the loopback rule has no holes; no
# password reaches any output. (Each of these failed before issue 9.)
H=$WORK/hostile; mkdir -p "$H"
SCN=$here/../../scenarios
rc_of() { "$@" >"$H/out" 2>&1; echo $?; }

# every shipped drill plans, dry-runs and validates (the planner once
# segfaulted on a burst step)
for f in "$SCN"/*.yaml; do
	n=$(basename "$f" .yaml)
	eq "plan $n exits 0" 0 "$(rc_of "$SHAKEDOWN" plan "$f")"
	eq "run -n $n exits 0" 0 "$(rc_of "$SHAKEDOWN" run -n "$f")"
	contains "plan $n ends with the steady state after" "steady after:" "$(cat "$H/out")"
done

# a non-scalar where a number goes: an error, not a segfault
cat >"$H/count.yaml" <<'YAML'
drill: x
services:
  db: { kind: postgres, url: "postgresql://u@127.0.0.1/db" }
steps:
  - hold-connections: { service: db, count: {a: 1} }
YAML
eq "count: {a: 1} exits 2" 2 "$(rc_of "$SHAKEDOWN" validate "$H/count.yaml")"
contains "count: {a: 1} at its position" "count.yaml:5:45: count must be a scalar" "$(cat "$H/out")"

# size, kind of file, linear key checks
python3 -c 'import sys
print("drill: big\nsteps:\n  - wait: 1s\nprobes:")
for i in range(100000): print("  p%d: { get: http://127.0.0.1:1/ }" % i)' >"$H/100k-keys.yaml"
eq "100k probes: validates (linear checks)" 0 "$(rc_of timeout 20 "$SHAKEDOWN" validate "$H/100k-keys.yaml")"
python3 -c 'import sys
print("drill: big\nsteps:")
for i in range(60000): print("  - { wait: 1ms }")
print("  - { wait: 1ms }")' >"$H/60k-steps.yaml"
eq "60k steps: plans (linear planner)" 0 "$(rc_of timeout 20 "$SHAKEDOWN" plan "$H/60k-steps.yaml")"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$H/10mb.yaml"
eq "a 10 MB file exits 2" 2 "$(rc_of timeout 10 "$SHAKEDOWN" validate "$H/10mb.yaml")"
contains "and says it is too large" "larger than the 4 MiB allowed" "$(cat "$H/out")"
eq "/dev/zero exits 2" 2 "$(rc_of timeout 10 "$SHAKEDOWN" validate /dev/zero)"
contains "and says it is not a file" "/dev/zero: not a regular file (a character device)" "$(cat "$H/out")"
mkfifo "$H/fifo.yaml"
eq "a FIFO exits 2 without blocking" 2 "$(rc_of timeout 10 "$SHAKEDOWN" validate "$H/fifo.yaml")"
contains "and says it is a FIFO" "not a regular file (a FIFO)" "$(cat "$H/out")"

# bad bytes at their real position
printf 'drill: x\nsteps:\n  - wait: 1s\ntitle: "ok"\n# five \0 here\n' >"$H/nul.yaml"
eq "NUL byte exits 2" 2 "$(rc_of "$SHAKEDOWN" validate "$H/nul.yaml")"
contains "NUL byte at line 5" "nul.yaml:5:8: NUL byte" "$(cat "$H/out")"
printf 'drill: x\nsteps:\n  - wait: 1s\n\n\n\ntitle: "caf\xe9"\n' >"$H/latin1.yaml"
eq "invalid UTF-8 exits 2" 2 "$(rc_of "$SHAKEDOWN" validate "$H/latin1.yaml")"
contains "invalid UTF-8 at line 7" "latin1.yaml:7:12: invalid UTF-8 (byte 0xe9)" "$(cat "$H/out")"
printf 'drill: x\nsteps:\n  - wait: 1s\ntitle: "a\x01"\n' >"$H/ctl.yaml"
contains "a control character at its position" "ctl.yaml:4:10: control character U+0001" "$(rc_of "$SHAKEDOWN" validate "$H/ctl.yaml"; cat "$H/out")"

# zero and absurd durations are errors, not "no timeout"
for bad in "timeout: 0ms" "every: 0ms" "timeout: 400d"; do
	printf 'drill: x\ntarget: http://127.0.0.1:1\nprobes:\n  h: { get: /, %s }\nsteps:\n  - wait: 1s\n' "$bad" >"$H/dur.yaml"
	eq "probe $bad exits 2" 2 "$(rc_of "$SHAKEDOWN" validate "$H/dur.yaml")"
done
printf 'drill: x\nsteps:\n  - wait: 1s\n    timeout: 0s\n' >"$H/steptmo.yaml"
eq "step timeout: 0s exits 2" 2 "$(rc_of "$SHAKEDOWN" validate "$H/steptmo.yaml")"
contains "and says why" "steptmo.yaml:4:14: timeout: 0s is too short (at least 1ms)" "$(cat "$H/out")"
eq "probe -t 0ms exits 2" 2 "$(rc_of timeout 10 "$SHAKEDOWN" probe -t 0ms -c 1 http://127.0.0.1:9/)"
eq "load -c 100000 is refused at once" 2 "$(rc_of timeout 20 "$SHAKEDOWN" load -c 100000 -d 3s http://127.0.0.1:9/)"
contains "naming the open-files limit" "RLIMIT_NOFILE" "$(cat "$H/out")"

# blast radius: what is checked is what is connected to
blast() {	# blast NAME SERVICES-OR-TARGET-YAML WANT
	printf 'drill: x\n%s\nsteps:\n  - wait: 1s\n' "$2" >"$H/blast.yaml"
	out=$("$SHAKEDOWN" validate "$H/blast.yaml" 2>&1); rc=$?
	eq "blast radius: $1 refused (exit 2)" 2 "$rc"
	contains "blast radius: $1 names the host" "$3" "$out"
}
blast "target #@" 'target: "http://10.0.0.1#@127.0.0.1"' "goes to '10.0.0.1'"
blast "target ?@" 'target: "http://10.0.0.1?@127.0.0.1"' "goes to '10.0.0.1'"
blast "redis /@" 'services: { c: { kind: redis, url: "redis://127.0.0.1/@10.0.0.1:6379" } }' "the path must be a database number"
blast "postgres ?host=" 'services: { d: { kind: postgres, url: "postgresql://u@127.0.0.1/db?host=10.0.0.1" } }' "goes to '10.0.0.1'"
blast "postgres ?hostaddr=" 'services: { d: { kind: postgres, url: "postgresql://u@127.0.0.1/db?hostaddr=10.0.0.2" } }' "goes to '10.0.0.2'"
blast "postgres key/value" 'services: { d: { kind: postgres, url: "host=10.0.0.3 dbname=x" } }' "goes to '10.0.0.3'"
blast "postgres host list" 'services: { d: { kind: postgres, url: "postgresql://127.0.0.1:1,10.0.0.4:2/db" } }' "goes to '10.0.0.4'"
printf 'drill: x\nservices: { d: { kind: postgres, url: "dbname=x" } }\nsteps:\n  - wait: 1s\n' >"$H/pghost.yaml"
eq "PGHOST is checked when the DSN names no host" 2 "$(rc_of env PGHOST=10.0.0.5 "$SHAKEDOWN" validate "$H/pghost.yaml")"
eq "allow: lets a named host through" 0 "$(printf 'drill: x\nallow: [10.0.0.3]\nservices: { d: { kind: postgres, url: "host=10.0.0.3 dbname=x" } }\nsteps:\n  - wait: 1s\n' >"$H/allow.yaml"; rc_of "$SHAKEDOWN" validate "$H/allow.yaml")"

# pids: parsed as pid_t with ranges; 0, 1, our own group never touched
for p in 4294967297 1 0 -1 12abc; do
	printf 'drill: x\nservices: { app: { kind: process, pid: %s } }\nsteps:\n  - pause: app\n' "$p" >"$H/pid.yaml"
	eq "pid: $p refused (exit 2)" 2 "$(rc_of "$SHAKEDOWN" validate "$H/pid.yaml")"
done
contains "pid: 12abc says it is not a pid" "'12abc' is not a pid" "$(cat "$H/out")"
echo 1 >"$H/init.pid"
marker=$H/pid1-start
printf 'drill: x\nservices: { app: { kind: process, pidfile: "%s", start: [touch, "%s"] } }\nsteps:\n  - kill: app\n' "$H/init.pid" "$marker" >"$H/pid1.yaml"
out=$("$SHAKEDOWN" run "$H/pid1.yaml" 2>&1); rc=$?
eq "a pidfile naming pid 1: refused before anything is applied (exit 2)" 2 "$rc"
ok "a pidfile naming pid 1: nothing was started" test ! -e "$marker"
contains "and says why" "pid 1 is init" "$out"

# secrets: never in plan, stdout, REPORT.md, result.json, junit.xml
cat >"$H/secret.yaml" <<'YAML'
drill: secret
services:
  db: { kind: postgres, url: "postgresql://u@127.0.0.1:1/db?password=SECRETQUERY" }
  db2: { kind: postgres, url: "postgresql://u:p%40ssW0rd%2Fx@127.0.0.1:1/db" }
  kv: { kind: postgres, dsn: "host=127.0.0.1 port=1 dbname=x password='s3cr3t KV'" }
  rd: { kind: redis, url: "redis://:r3disPW@127.0.0.1:1" }
steps:
  - terminate-backends: db
YAML
all=$("$SHAKEDOWN" plan "$H/secret.yaml" 2>&1; "$SHAKEDOWN" run -r "$H/secret" "$H/secret.yaml" 2>&1; cat "$H"/secret/* 2>/dev/null)
eq "secret drill ran and wrote its report" 3 "$(ls "$H/secret" | wc -l)"
for s in SECRETQUERY p@ssW0rd/x p%40ssW0rd%2Fx "s3cr3t KV" r3disPW; do
	case "$all" in *"$s"*) fail "password '$s' never shown";; *) pass "password '$s' never shown";; esac
done
printf 'drill: x\nservices: { d: { kind: postgres, url: "postgresql://u:p@ss@127.0.0.1:1/db" } }\nsteps:\n  - terminate-backends: d\n' >"$H/amb.yaml"
out=$("$SHAKEDOWN" validate "$H/amb.yaml" 2>&1); rc=$?
eq "an unencoded @ in a password is refused" 2 "$rc"
case "$out" in *ss@*|*"p@"*) fail "the refusal quotes no piece of the password" "$out";; *) pass "the refusal quotes no piece of the password";; esac
printf 'drill: x\nservices: { c: { kind: redis, url: "redis://:pw@127.0.0.1:99999" } }\nsteps:\n  - client-kill: c\n' >"$H/rport.yaml"
eq "an invalid redis port fails validate" 2 "$(rc_of "$SHAKEDOWN" validate "$H/rport.yaml")"

# request smuggling, report paths, non-numbers
printf 'drill: x\ntarget: http://127.0.0.1:1\nprobes:\n  h: { get: /, headers: { X-A: "a\\r\\nX-Injected: 1" } }\nsteps:\n  - wait: 1s\n' >"$H/crlf.yaml"
eq "CR/LF in a header value refused" 2 "$(rc_of "$SHAKEDOWN" validate "$H/crlf.yaml")"
contains "at the header's position" "crlf.yaml:4:32: header X-A: a control character (CR)" "$(cat "$H/out")"
eq "CR/LF in a --header of load refused" 2 "$(rc_of "$SHAKEDOWN" load -H "$(printf 'X-A: a\r\nX-B: b')" -d 1s http://127.0.0.1:9/)"
for name in .. ../x A_b "a b"; do
	printf 'drill: "%s"\nsteps:\n  - wait: 1s\n' "$name" >"$H/name.yaml"
	eq "drill name '$name' refused" 2 "$(rc_of "$SHAKEDOWN" validate "$H/name.yaml")"
done
for v in nan .nan inf -.inf; do
	printf 'drill: x\ntarget: http://127.0.0.1:1\nprobes:\n  h: { get: / }\nsteps:\n  - expect: { probe: h, json: { a: %s } }\n' "$v" >"$H/nan.yaml"
	eq "json value $v refused" 2 "$(rc_of "$SHAKEDOWN" validate "$H/nan.yaml")"
done

# the journal is read without trusting it
J=$H/state; mkdir -p "$J"
jr() { SHAKEDOWN_STATE_DIR=$J "$SHAKEDOWN" "$@"; }
printf '{"op":"apply","id":"a1","run":"r","pid":999999,"t":1,"what":"x","record":{"kind":"service","how":"start","svc_kind":"redis","argv":["true"],"timeout_ms":1000,"ready_timeout_ms":1000}}\n' >"$J/journal.jsonl"
eq "recover: a record without its url fails cleanly (exit 4)" 4 "$(SHAKEDOWN_STATE_DIR=$J rc_of timeout 60 "$SHAKEDOWN" recover)"
contains "and says what is missing" "the record has no 'url'" "$(cat "$H/out")"
printf '{"op":"apply","id":"a2","run":"r","pid":999999,"t":1,"what":"pause","record":{"kind":"redis","how":"wait","url":"redis://127.0.0.1:9","until_wall_ms":99999999999999,"for_ms":1000}}\n' >"$J/journal.jsonl"
start=$(now_ms); eq "recover: a pause 'ending' in 3000 years is not waited for" 4 "$(SHAKEDOWN_STATE_DIR=$J rc_of timeout 60 "$SHAKEDOWN" recover)"
le "and it gives up within its patience ($(( $(now_ms) - start ))ms)" "$(( $(now_ms) - start ))" 40000
contains "saying the record is not trusted" "not trusted" "$(cat "$H/out")"
printf '\0\0\0\0\n{"op":"apply","id":"a3","run":"r","pid":999999,"t":1,"what":"after the NULs","record":{"kind":"service","how":"none"}}\n' >"$J/journal.jsonl"
out=$(jr status 2>&1)
contains "status: a line of NULs does not hide what follows" "after the NULs" "$out"
contains "status: and says a line was torn" "torn line(s)" "$out"
python3 -c 'import json
for i in range(40000): print(json.dumps({"op":"apply","id":"x%d"%i,"run":"r","pid":999999,"t":1,"what":"w","record":{"kind":"service","how":"none"}}))
for i in range(40000): print(json.dumps({"op":"revert","id":"x%d"%i,"t":2}))' >"$J/journal.jsonl"
eq "40k applies and reverts match in linear time" 0 "$(rc_of timeout 20 env SHAKEDOWN_STATE_DIR="$J" "$SHAKEDOWN" status)"
contains "and none is left open" "0 fault(s) still applied" "$(cat "$H/out")"

# a fault a dead run left applied: run will not drill on top of it
J2=$H/state2; mkdir -p "$J2"
printf '{"op":"apply","id":"old-1","run":"old","pid":999999,"guardian":999998,"t":1,"what":"stop cache (a dead run)","record":{"kind":"service","how":"none"}}\n' >"$J2/journal.jsonl"
printf 'drill: tiny\nsteps:\n  - wait: 10ms\n' >"$H/tiny.yaml"
eq "run refuses to drill on top of a dead run's fault (exit 4)" 4 "$(rc_of env SHAKEDOWN_STATE_DIR="$J2" "$SHAKEDOWN" run "$H/tiny.yaml")"
contains "and says what to do" "run 'shakedown recover' first" "$(cat "$H/out")"
eq "recover clears it" 0 "$(rc_of env SHAKEDOWN_STATE_DIR="$J2" "$SHAKEDOWN" recover)"
eq "and then the drill runs" 0 "$(rc_of env SHAKEDOWN_STATE_DIR="$J2" "$SHAKEDOWN" run "$H/tiny.yaml")"

# proxy variables never carry drill traffic off the machine
PPORT=$((BASE + 130))
python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); s.settimeout(15); n=0
try:
    while True:
        c, _ = s.accept(); n += 1
        open(sys.argv[2], "w").write(str(n))
except Exception:
    pass' "$PPORT" "$H/proxied" &
pp=$!; TARGET_PIDS+=("$pp")
sleep 0.3
printf 'drill: proxied\ntarget: %s\nprobes:\n  h: { get: /health, every: 50ms }\nload:\n  l: { get: /health, connections: 2, rate: 20/s }\nsteady:\n  - { probe: h, status: 200 }\nsteps:\n  - wait: 1s\n  - expect: { load: l, errors: "< 1%%" }\n' "$TARGET" >"$H/proxied.yaml"
P=http://127.0.0.1:$PPORT
eq "a drill run with http_proxy set passes" 0 "$(rc_of env http_proxy=$P HTTP_PROXY=$P https_proxy=$P ALL_PROXY=$P all_proxy=$P "$SHAKEDOWN" run "$H/proxied.yaml")"
eq "and the proxy saw no connection" "" "$(cat "$H/proxied" 2>/dev/null)"
eq "shakedown probe ignores it too" 0 "$(rc_of env http_proxy=$P "$SHAKEDOWN" probe -c 3 "$TARGET/health")"
eq "and shakedown load" 0 "$(rc_of env http_proxy=$P "$SHAKEDOWN" load -c 2 -d 500ms "$TARGET/health")"
eq "still no connection to the proxy" "" "$(cat "$H/proxied" 2>/dev/null)"
kill "$pp" 2>/dev/null; wait "$pp" 2>/dev/null

# -d holds however many connections there are (a listener that never answers)
LPORT=$((BASE + 131))
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4096); time.sleep(30)' "$LPORT" &
lp=$!; TARGET_PIDS+=("$lp")
sleep 0.3
start=$(now_ms)
# nothing answered: exit 1 (issue 36), never a run that looks fine
eq "load -c 8000 -d 1s against a silent server: exit 1 (nothing answered)" 1 "$(rc_of "$SHAKEDOWN" load -c 8000 -d 1s -T 30s "http://127.0.0.1:$LPORT/")"
le "and stops at its duration ($(( $(now_ms) - start ))ms)" "$(( $(now_ms) - start ))" 10000
kill "$lp" 2>/dev/null; wait "$lp" 2>/dev/null

# a signal in the first moments of a run: exit 3, nothing applied, the
# report still written (a script's background job ignores SIGINT until
# the handler is in: it is installed before anything else)
marker=$H/early-applied
printf 'drill: early\nservices:\n  app: { kind: process, stop: [touch, "%s"], start: [true] }\nsteps:\n  - wait: 1s\n  - stop: app\n' "$marker" >"$H/early.yaml"
for sig in INT TERM; do
	"$SHAKEDOWN" run -r "$H/early-$sig" "$H/early.yaml" >"$H/early-$sig.out" 2>&1 &
	rp=$!
	sleep 0.15; kill -"$sig" "$rp"; wait "$rp"; rc=$?
	eq "SIG$sig 150ms into a run: exit 3" 3 "$rc"
	contains "SIG$sig early: the report says ABORTED" '"verdict": "ABORTED"' "$(cat "$H/early-$sig/result.json" 2>/dev/null)"
done
ok "an early signal applied nothing" test ! -e "$marker"
