# The shipped drills: PASS on the good target, FAIL (exit 1, the failing
# expectation named in REPORT.md and junit.xml) on the matching --bug.
export SHAKEDOWN_TARGET=$TARGET REDIS_URL DATABASE_URL=$DB_URL
SCN=$here/../../scenarios
R=$WORK/reports

drill() {	# drill NAME REPORTDIR [env...]: runs it, sets RC
	local name=$1 dir=$2; shift 2
	env "$@" "$SHAKEDOWN" run -r "$dir" "$SCN/$name.yaml" >"$dir.out" 2>&1
	RC=$?
}

sbx up --no-bugs
mkdir -p "$R"
drill redis-outage "$R/good-redis"
eq "redis-outage PASSes on the good target" 0 "$RC"
contains "its report leads with the verdict" "**Verdict: PASS**" "$(sed -n 3p "$R/good-redis/REPORT.md")"
contains "it measured the time to degrade" '"name": "time to degrade"' "$(cat "$R/good-redis/result.json")"
contains "junit has a testcase per expectation" 'tests="11" failures="0"' "$(cat "$R/good-redis/junit.xml")"
drill postgres-outage "$R/good-pg"
eq "postgres-outage PASSes on the good target" 0 "$RC"
contains "it measured the recovery time" "recovery:" "$(cat "$R/good-pg.out")"
contains "its metrics: the 503 counter rose" 'shakedown_target_requests_total{status="503"} rises within 5.00s |' "$(cat "$R/good-pg/REPORT.md")"
eq "the drill left Redis and PostgreSQL running" 0 "$("$SHAKEDOWN" sandbox --dir "$SBX" status >/dev/null; echo $?)"
# key times to 25 ms or better (probes sample fast while one is measured)
for r in good-redis good-pg; do
	worst=$(python3 -c 'import json,sys; print(max(k["resolution_ms"] for k in json.load(open(sys.argv[1]))["key_times"]))' "$R/$r/result.json")
	le "$r: every key time to 25 ms or better (worst ${worst}ms)" "$worst" 25
done

# a process it cannot find is said before anything is applied: exit 2
drill postgres-outage "$R/nopid" TARGET_PIDFILE="$WORK/no-such.pid"
eq "postgres-outage without a pid to watch: exit 2" 2 "$RC"
contains "and it names the variable to set" "(set TARGET_PIDFILE)" "$(cat "$R/nopid.out")"
ok "and PostgreSQL was never stopped" psql "$DB_URL" -Atc 'select 1'
eq "and nothing was journaled" 0 "$("$SHAKEDOWN" -q status >/dev/null; echo $?)"

# dry run: the plan, nothing applied
out=$("$SHAKEDOWN" run --dry-run "$SCN/redis-outage.yaml"); rc=$?
eq "run --dry-run exits 0" 0 "$rc"
contains "dry run lists the revert" "revert: start redis: run 'shakedown sandbox start redis'" "$out"
eq "dry run applied nothing" PONG "$(redis-cli -p "$REDIS_PORT" PING)"

failing() {	# failing BUG DRILL EXPECTED-TEXT
	sbx up --bug "$1"
	drill "$2" "$R/$1"
	eq "$2 FAILs with exit 1 on --bug $1" 1 "$RC"
	contains "$2 on $1: REPORT.md names the failed expectation" "$3" "$(grep 'FAIL' "$R/$1/REPORT.md")"
	contains "$2 on $1: junit.xml has the failure" "<failure message=\"expected $(printf "%s" "$3" | sed "s/\"/\&quot;/g")" "$(cat "$R/$1/junit.xml")"
}
failing health_hides_redis redis-outage 'health: HTTP 200, $.status = "degraded", $.checks.redis.ok = false within 5.00s'
failing sessions_need_redis redis-outage 'api: HTTP 2xx holds 3.00s'
failing ready_ignores_db postgres-outage 'ready: HTTP 503'
failing slow_recovery postgres-outage 'ready: HTTP 200 within 5.00s'
failing crash_on_db_loss postgres-outage 'app alive'
# a drill that does not match the bug still passes: exactly its behaviour
sbx up --bug health_hides_redis
drill postgres-outage "$R/hhr-pg"
eq "postgres-outage still PASSes on --bug health_hides_redis" 0 "$RC"

# the measured recovery time lies within its stated resolution of the truth
sbx up --bug slow_recovery
drill postgres-outage "$R/truth" RECOVERY_WITHIN=15s
eq "postgres-outage PASSes on slow_recovery with a 15s bound" 0 "$RC"
truth=$(grep -o 'ready again at [^ ]*' "$SBX/target.log" | tail -1 | cut -d' ' -f4)
verdict=$(python3 - "$R/truth/result.json" "$truth" <<'PY'
import json, sys, datetime
r = json.load(open(sys.argv[1]))
iso = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
k = [x for x in r["key_times"] if x["name"] == "recovery"][0]
anchor = r["faults"][0]["reverted_ms"]            # start step done
measured = anchor + k["elapsed_ms"]               # from the start of faults
truth = iso(sys.argv[2]) - iso(r["faults_started"])
lo, hi = measured - k["resolution_ms"] - 3, measured + 3   # ms rounding, two clocks
print("ok" if lo <= truth <= hi else "bad", int(truth), int(lo), int(hi), k["elapsed_ms"], k["resolution_ms"])
PY
)
contains "recovery truth within the stated resolution ($verdict)" "ok" "$verdict"

# a stop command that takes 3 s, the condition turning 1 s into it (issue
# 37): the key time says it was so before its step ended, and gives the
# time from the step's start, which agrees with the target's own log
sbx up --no-bugs
drill redis-outage "$R/slowstep" REDIS_STOP="sh -c 'sleep 1; \"\$0\" -q sandbox stop redis; sleep 2' $SHAKEDOWN" \
	STILL_READY=1s
eq "redis-outage with a stop command that takes 3 s: PASS" 0 "$RC"
k=$(python3 - "$R/slowstep/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
k = [x for x in r["key_times"] if x["name"] == "time to degrade"][0]
print(k.get("before_step_end_ms", -1), k.get("from_step_start_ms", -1), k["elapsed_ms"])
PY
)
read -r before fromstart elapsed <<<"$k"
ge "... 'already so when its step ended' (first seen ${before}ms before it)" "${before:-0}" 1000
ge "... ${fromstart}ms from the step's start: not before Redis stopped" "${fromstart:-0}" 900
le "... and well before the step's end" "${fromstart:-99999}" 2500
contains "... said on the terminal" "already so when its step ended (first seen" "$(cat "$R/slowstep.out")"
# an alert that never fired does not "resolve": nothing to time
cat >"$WORK/nochange.yaml" <<YAML
drill: nochange
target: $TARGET
services:
  redis: { kind: redis, url: "$REDIS_URL", stop: shakedown sandbox stop redis, start: shakedown sandbox start redis }
probes:
  ready: { get: /api/ready, every: 100ms }
steps:
  - stop: redis
  - start: redis
  - expect: { probe: ready, status: 200, within: 5s, as: ready again }
YAML
"$SHAKEDOWN" run -r "$R/nochange" "$WORK/nochange.yaml" >"$R/nochange.out" 2>&1
eq "a condition that held before its step: PASS" 0 $?
contains "... and not timed (not '≤ 2ms')" "ready again: not measured: it held before its step began" "$(cat "$R/nochange.out")"

# a probe to an endpoint that accepts and never answers stalls nothing
sbx up --no-bugs
HPORT=$((BASE + 120))
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(512); time.sleep(30)' "$HPORT" &
hang=$!; TARGET_PIDS+=("$hang")
sleep 0.3
cat >"$WORK/hang.yaml" <<YAML
drill: hang
target: $TARGET
probes:
  health: { get: /health, every: 100ms }
  stuck: { get: "http://127.0.0.1:$HPORT/", every: 100ms, timeout: 3s }
steady:
  - { probe: health, status: 200 }
steps:
  - wait: 1s
  - expect: { probe: health, status: 200, holds: 2s }
YAML
"$SHAKEDOWN" run -r "$R/hang" "$WORK/hang.yaml" >/dev/null 2>&1; eq "drill with a hanging probe passes" 0 $?
n=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([p for p in r["probes"] if p["name"]=="health"][0]["samples"])' "$R/hang/result.json")
ge "health kept its 100ms schedule beside the hung probe ($n samples in ~3s)" "$n" 25
contains "the hung probe's samples timed out" "timeout" "$(cat "$R/hang/REPORT.md")"
kill "$hang" 2>/dev/null; wait "$hang" 2>/dev/null

# shakedown probe prints readiness transitions with their times
"$SHAKEDOWN" probe -i 50ms "$TARGET/api/ready" >"$WORK/probe.txt" 2>&1 &
ppid=$!
sleep 0.8; sbx stop postgres; sleep 1; sbx start postgres
wait_for 5 code_is "$TARGET/api/ready" 200 >/dev/null; sleep 0.3
kill -INT "$ppid"; wait "$ppid"; eq "probe exits 0 on Ctrl-C" 0 $?
eq "probe printed 200 -> 503 -> 200" "200 503 200" "$(awk '{print $4}' "$WORK/probe.txt" | tr '\n' ' ' | sed 's/ $//')"
contains "probe lines carry the JSON status field" 'status="not_ready"' "$(cat "$WORK/probe.txt")"
unset SHAKEDOWN_TARGET DATABASE_URL
