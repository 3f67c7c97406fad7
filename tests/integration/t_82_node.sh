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
ndrill() {	# ndrill DRILL DIR [VAR=value...]: runs it against the app, sets RC
	local d=$1 dir=$2; shift 2
	env SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" REDIS_URL="$REDIS_URL" \
		DATABASE_URL="$DB_URL" TARGET_PIDFILE="$N/node.pid" \
		DATA_ERROR="Database unavailable" ERRORS_METRIC='http_requests_total{status="503"}' \
		DB_UP_METRIC=db_up "$@" \
		"$SHAKEDOWN" run -r "$dir" "$SCN/$d.yaml" >"$dir.out" 2>&1
	RC=$?
}

start_node
for d in redis-outage postgres-outage ai-guard health-load; do
	ndrill "$d" "$N/$d"
	eq "$d PASSes on the Node service" 0 "$RC"
done
contains "health-load on Node: the report says what the leak check measured" \
	"MiB per 1000 requests" "$(cat "$N/health-load/REPORT.md")"
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

# a Node service that leaks
start_node LEAK=1
ndrill health-load "$N/leak"
eq "health-load FAILs on a Node service that keeps 64 KiB a request" 1 "$RC"
contains "and names the trend" "RSS trend < 4.00 MiB per 1000 requests" "$(grep FAIL "$N/leak/REPORT.md")"
stop_node
