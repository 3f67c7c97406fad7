# The graceful-shutdown drill (seed 001 §1.3): SIGTERM with requests in
# flight. PASS on the reference target (drains: in-flight requests finish,
# exit 0, the exit code read from the kernel's exit reports), FAIL on --bug
# no_graceful (exits at once: the requests in flight are cut); the same on
# the Node service, FAIL there with NO_GRACEFUL=1. The target runs again
# after every run — after a FAIL, and after kill -9 of the runner (the
# guardian starts it). SD_DRILL_REPEAT=N runs each verdict N times.
G=$WORK/shutdown; mkdir -p "$G"
DRILL=$here/../../scenarios/graceful-shutdown.yaml
START="$SHAKEDOWN sandbox --dir $SBX start target"

ok "validate graceful-shutdown.yaml" "$SHAKEDOWN" validate "$DRILL"
out=$(TARGET_START=$START "$SHAKEDOWN" plan "$DRILL")
contains "plan: SIGTERM to the target's pid" "signal app: SIGTERM to the pid in" "$out"
contains "plan: the start step restarts it" "revert step 2: start app" "$out"
cat >"$G/bad.yaml" <<'YAML'
drill: badexit
target: http://127.0.0.1:1
services:
  app: { kind: process, pid: 32000 }
steps:
  - expect: { process: app, exits: { code: 0 } }
YAML
out=$("$SHAKEDOWN" validate "$G/bad.yaml" 2>&1); rc=$?
eq "exits: without within:: exit 2" 2 "$rc"
contains "and says so, at the mapping" "bad.yaml:6:36: exits: needs within:" "$out"

target_answers() { code_is "$TARGET/health" 200; }
sbx up --no-bugs
repeat_drill 0 "$G/good" TARGET_START="$START"
eq "graceful-shutdown PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
r=$(cat "$G/good1/REPORT.md")
contains "the exit code is reported, from the kernel" "exited with code 0" "$r"
contains "no request was cut" "dropped 0" "$r"
ok "the target answers again after the drill" target_answers

sbx up --bug no_graceful
repeat_drill 1 "$G/bug" TARGET_START="$START"
eq "graceful-shutdown FAILs (exit 1) on --bug no_graceful ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and names the requests cut in flight" "expected load inflight (all): dropped < 1" "$(cat "$G/bug1.out")"
ok "the target answers again after a FAIL" target_answers
ok "sandbox up --no-bugs" sbx up --no-bugs

# kill -9 of the runner once the target is gone: the guardian starts it
T=$(cat "$SBX/target.pid")
SHAKEDOWN_TARGET=$TARGET TARGET_START=$START "$SHAKEDOWN" run -r "$G/killed" "$DRILL" >"$G/killed.out" 2>&1 & rp=$!
wait_for 20 bash -c "! kill -0 $T 2>/dev/null || [ \"\$(awk '{print \$3}' /proc/$T/stat 2>/dev/null)\" = Z ]" >/dev/null
kill -KILL "$rp"; wait "$rp" 2>/dev/null
wait_for 20 bash -c "[ \"\$(cat $SBX/target.pid 2>/dev/null)\" != $T ] && curl -s -o /dev/null -m 2 $TARGET/health" >/dev/null
wait_for 20 target_answers >/dev/null
ok "kill -9 of the runner after the SIGTERM: the guardian starts the target again" target_answers
ok "and it is a new process" test "$(cat "$SBX/target.pid")" != "$T"
wait_for 10 bash -c "\"$SHAKEDOWN\" status | grep -q ' 0 fault(s) still applied'" >/dev/null
contains "and the journal has nothing open" " 0 fault(s) still applied" "$("$SHAKEDOWN" status)"

# the Node service, started by a script (TARGET_START) that returns at once
NPORT=$((BASE + 90))
N=$WORK/node-shutdown; mkdir -p "$N"
node_stop_all() { local p; p=$(cat "$N/node.pid" 2>/dev/null); [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; sleep 0.5; [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; rm -f "$N/node.pid"; }
CLEANUPS+=(node_stop_all)
node_script() {	# node_script ENV...: $N/start.sh starts the Node service in the background
	{ echo '#!/bin/sh'
	  echo "export PORT=$NPORT DATABASE_URL='$DB_URL' REDIS_URL='$REDIS_URL' PIDFILE='$N/node.pid' AI_LATENCY_MS=400 $*"
	  echo "setsid node '$here/../nodeapp/server.js' >>'$N/node.log' 2>&1 </dev/null &"
	} >"$N/start.sh"
	chmod +x "$N/start.sh"
}
node_script
"$N/start.sh"; wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null
repeat_drill 0 "$N/good" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid" TARGET_START="$N/start.sh"
eq "graceful-shutdown PASSes on the Node service ($REPEAT run(s))" "$REPEAT" "$GOT"
node_stop_all
node_script NO_GRACEFUL=1
"$N/start.sh"; wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null
repeat_drill 1 "$N/bug" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid" TARGET_START="$N/start.sh"
eq "graceful-shutdown FAILs on the Node service that exits at once ($REPEAT run(s))" "$REPEAT" "$GOT"
node_stop_all

# terminus's way (issue 24): a clean drain, then the SIGTERM re-raised —
# "killed by signal 15" is a clean exit by default, and FAILs only when
# the drill is made strict (EXIT_CODE=0). The service's variables come
# from a profile file, as a team's would.
node_script SHUTDOWN_STYLE=terminus
printf '# the Node service, as a team writes it once\nSHAKEDOWN_TARGET=http://127.0.0.1:%s\nTARGET_PIDFILE=%s\nTARGET_START="%s"\n' \
	"$NPORT" "$N/node.pid" "$N/start.sh" >"$N/node.env"
"$N/start.sh"; wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null
LVARS=$N/node.env repeat_drill 0 "$N/terminus"
eq "graceful-shutdown PASSes on a terminus-style service that re-raises SIGTERM ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and the report says what it saw" "killed by signal 15 (Terminated) (clean: the signal it was sent" "$(cat "$N/terminus1/REPORT.md")"
wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null
LVARS=$N/node.env repeat_drill 1 "$N/strict" EXIT_CODE=0
eq "made strict (EXIT_CODE=0), the same service FAILs ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and says why" "killed by signal 15" "$(grep -i 'time to exit\|exits' "$N/strict1/REPORT.md" | head -3)"
node_stop_all
