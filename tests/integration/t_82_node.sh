# The shipped drills against a second, independent service: a Node/Express
# app written from the seeds (tests/nodeapp: its own PostgreSQL pool, its
# own Redis client, memory sessions, seed 000's AI guard), on the suite's
# PostgreSQL and Redis. Only the drills' documented variables are set. Each
# drill PASSes on the app as it is; health-load PASSes with its defaults
# although Node grows its heap while it warms up, and FAILs when the app
# keeps 64 KiB a request; a terminus-style app (503 {"status":"error"}) is
# drilled by setting variables, never by copying a drill.
sbx up --no-bugs
NPORT=$((BASE + 90))
N=$WORK/node; mkdir -p "$N"
SCN=$here/../../scenarios
NODEAPP=$here/../nodeapp/server.js

start_node() {	# start_node ENV...: sets NPID
	env PORT="$NPORT" DATABASE_URL="postgresql://shakedown@127.0.0.1:$PG_PORT/postgres" \
		REDIS_URL="$REDIS_URL" PIDFILE="$N/node.pid" "$@" node "$NODEAPP" >>"$N/node.log" 2>&1 &
	NPID=$!
	TARGET_PIDS+=("$NPID")
	wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null
}
stop_node() { kill -TERM "$NPID" 2>/dev/null; wait "$NPID" 2>/dev/null; }
# The Node service's variables, written once as a team would (issue 24):
# every drill here reads them through --vars, never from the environment
cat >"$N/node.env" <<ENV
# the Node service (tests/nodeapp), for every shipped drill
SHAKEDOWN_TARGET=http://127.0.0.1:$NPORT
REDIS_URL=$REDIS_URL
DATABASE_URL=$DB_URL
TARGET_PIDFILE=$N/node.pid
DATA_ERROR="Database unavailable"
ERRORS_METRIC=http_requests_total{status="503"}
DB_UP_METRIC=db_up
ENV
ndrill() {	# ndrill DRILL DIR [VAR=value...]: runs it against the app, sets RC
	local d=$1 dir=$2 a; shift 2
	local over=()
	for a in "$@"; do over+=(--var "$a"); done
	env -u SHAKEDOWN_TARGET -u DATABASE_URL -u REDIS_URL "$SHAKEDOWN" run -r "$dir" \
		--vars "$N/node.env" "${over[@]}" "$SCN/$d.yaml" >"$dir.out" 2>&1
	RC=$?
}

start_node
for d in redis-outage postgres-outage ai-guard health-load; do
	ndrill "$d" "$N/$d"
	eq "$d PASSes on the Node service" 0 "$RC"
	eq "... every fault of it confirmed landed" "" "$(unconfirmed "$N/$d")"
done
# sessions that need Redis: the API fails with it, and redis-outage says so
stop_node
start_node SESSIONS_NEED_REDIS=1
ndrill redis-outage "$N/redis-sessions"
eq "redis-outage FAILs on the Node service whose sessions need Redis" 1 "$RC"
contains "... the API stopped answering during the outage" "api: HTTP 2xx holds" "$(cat "$N/redis-sessions.out")"
stop_node
start_node
contains "health-load on Node: the report says what the leak check measured" \
	"MiB per 1000 requests" "$(cat "$N/health-load/REPORT.md")"
# its metrics checks off (a service without Prometheus metrics, or without
# a database gauge): still PASS, and every output says what was skipped
ndrill postgres-outage "$N/pg-nometrics" METRICS_PATH=
eq "postgres-outage with METRICS_PATH= (no metrics): PASS" 0 "$RC"
contains "and the terminal says what was skipped" "skipped step 6" "$(cat "$N/pg-nometrics.out")"
contains "REPORT.md shows the checks skipped, with the reason" "METRICS_PATH is set empty" "$(grep skipped "$N/pg-nometrics/REPORT.md")"
skipped_for() { python3 -c 'import json,sys; print(sum(x["outcome"] == "skipped" and sys.argv[2] in (x["observed"] or "") for x in json.load(open(sys.argv[1]))["expectations"]))' "$@"; }
eq "result.json: 5 checks skipped for METRICS_PATH" 5 "$(skipped_for "$N/pg-nometrics/result.json" METRICS_PATH)"
eq "result.json: the 4 alert checks skipped for ALERTMANAGER_URL" 4 "$(skipped_for "$N/pg-nometrics/result.json" ALERTMANAGER_URL)"
contains "junit.xml: <skipped> with the reason" '<skipped message="off: probe' "$(cat "$N/pg-nometrics/junit.xml")"
contains "the chart's legend says what is off" 'metrics: METRICS_PATH is set empty' "$(cat "$N/pg-nometrics/timeline.svg")"
ndrill postgres-outage "$N/pg-nogauge" DB_UP_METRIC=
eq "postgres-outage with DB_UP_METRIC= (no gauge, metrics on): PASS" 0 "$RC"
contains "the 503 counter is still checked" "http_requests_total" "$(grep pass "$N/pg-nogauge/REPORT.md")"
out=$("$SHAKEDOWN" vars --vars "$N/node.env" --var DB_UP_METRIC= "$SCN/postgres-outage.yaml")
contains "shakedown vars: a value and where it came from" "value: db_up (from $N/node.env:8)" "$(DB_UP_METRIC=x "$SHAKEDOWN" vars --vars "$N/node.env" "$SCN/postgres-outage.yaml")"
contains "shakedown vars: what is off, and why" "DB_UP_METRIC is set empty" "$out"
cat >"$N/off.yaml" <<YAML
drill: all-off
target: http://127.0.0.1:$NPORT
probes:
  m: { get: /metrics, when: "\${OFF_PROBE-on}" }
steps:
  - expect: { probe: m, status: 200 }
YAML
OFF_PROBE= "$SHAKEDOWN" run "$N/off.yaml" >"$N/off.out" 2>&1
eq "a drill whose every check is off: an error, not a PASS (exit 1)" 1 $?
contains "and says so" "every check is off" "$(cat "$N/off.out")"
ok "the Node service is still running after the drills" alive "$NPID"
stop_node

# terminus-style readiness: variables, not a copy of the drill
start_node READY_STYLE=terminus
ndrill postgres-outage "$N/pg-terminus"
eq "postgres-outage on a terminus-style service without NOT_READY_STATUS: FAIL" 1 "$RC"
ndrill postgres-outage "$N/pg-terminus-var" NOT_READY_STATUS=error
eq "postgres-outage on it with NOT_READY_STATUS=error: PASS" 0 "$RC"
ndrill redis-outage "$N/redis-terminus" READY_STATUS=ok
eq "redis-outage on it with READY_STATUS=ok: PASS" 0 "$RC"
stop_node

# a Node service that leaks (64 KiB a request shows in any window: a short
# one, the good run above keeps the defaults)
start_node LEAK=1
ndrill health-load "$N/leak" WARMUP=5s WINDOW=8s
eq "health-load FAILs on a Node service that keeps 64 KiB a request" 1 "$RC"
contains "and names the trend" "RSS trend < 4.00 MiB per 1000 requests" "$(grep FAIL "$N/leak/REPORT.md")"
stop_node
