# The seeds' remaining drills (issue 13), each PASS on the reference target,
# FAIL on the bug that breaks exactly that behaviour, and the same against
# the Node service (its own table, breaker and metrics, set by variables):
# - postgres-failover: a writer through the API while the database is
#   killed with -9; every acknowledged write must be in the database
#   (lose_writes / LOSE_WRITES=1 acknowledge from a buffer and lose some);
# - circuit-breaker: a hung dependency; the breaker opens and fails fast,
#   stays open, then closes (no_breaker / NO_BREAKER=1 wait every time);
# - postgres-outage's metrics: the 503 counter rises, the database gauge
#   drops and returns (stale_metrics / STALE_METRICS=1 keep it at 1);
# - the SLO's error budget over a drill that burns some of it.
# SD_DRILL_REPEAT=N runs each verdict N times. A breaker that never opens
# is given 8 s to open (OPEN_WITHIN; the good ones open in about 2 s), to keep
# the suite short.
S=$WORK/seeds; mkdir -p "$S"
SCN=$here/../../scenarios
jv() {	# jv FILE EXPR: a value of result.json, EXPR in Python over d
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# --- postgres-failover ---
DRILL=$SCN/postgres-failover.yaml
ok "validate postgres-failover.yaml" "$SHAKEDOWN" validate "$DRILL"
plan=$(env DATABASE_URL="$DB_URL" "$SHAKEDOWN" plan "$DRILL")
contains "plan: the writer's keys are checked in postgres" "writer: {key} in each request, acknowledged by HTTP 2xx, checked in postgres" "$plan"

sbx up --no-bugs
# killed as a user would kill their own PostgreSQL with -9 (issue 25): no
# command, SIGKILL to the pid its postmaster.pid names
pm=$(head -1 "$SBX/pgdata/postmaster.pid")
repeat_drill 0 "$S/fo-good" POSTGRES_KILL= POSTGRES_PIDFILE="$SBX/pgdata/postmaster.pid"
eq "postgres-failover PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
rep=$(cat "$S/fo-good1/REPORT.md")
contains "the postmaster was killed with -9 through its pidfile" "SIGKILL to $pm" "$rep"
contains "the report has the writes table" "| writer | checked at | acknowledged | failed | **lost** | RPO | RTO |" "$rep"
contains "and no acknowledged write was lost" "| **0** | 0ms |" "$rep"
js=$S/fo-good1/result.json
acked=$(jv "$js" "d['writes'][0]['acknowledged']")
failed=$(jv "$js" "d['writes'][0]['failed']")
rto=$(jv "$js" "d['writes'][0]['rto_ms']")
ge "the writer wrote before and after the crash ($acked acknowledged)" "$acked" 20
ge "the service refused writes while the database was down ($failed failed)" "$failed" 5
ge "the RTO covers the 3 s outage (${rto}ms)" "$rto" 2500
# the drill's own count, checked from outside: the rows of this run's keys
prefix=$(jv "$js" "d['writes'][0]['key_prefix']")
rows=$(psql "$DB_URL" -Atc "SELECT count(*) FROM shakedown_writes WHERE key LIKE '$prefix-%'")
ge "the table holds every acknowledged write of the run ($rows rows)" "$rows" "$acked"

sbx up --bug lose_writes
repeat_drill 1 "$S/fo-bug"
eq "postgres-failover FAILs on --bug lose_writes ($REPEAT run(s))" "$REPEAT" "$GOT"
lost=$(jv "$S/fo-bug1/result.json" "d['writes'][0]['lost']")
rpo=$(jv "$S/fo-bug1/result.json" "d['writes'][0]['rpo_ms']")
ge "and counts the lost acknowledged writes ($lost)" "$lost" 5
ge "with an RPO of about the outage (${rpo}ms)" "$rpo" 1000
contains "and names lost keys" "lost (sd-" "$(cat "$S/fo-bug1.out")"
sbx up --no-bugs

# --- circuit-breaker ---
DRILL=$SCN/circuit-breaker.yaml
ok "validate circuit-breaker.yaml" "$SHAKEDOWN" validate "$DRILL"
repeat_drill 0 "$S/cb-good" DEP_URL="$DB_URL"
eq "circuit-breaker PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
rep=$(cat "$S/cb-good1/REPORT.md")
contains "the report: time to open" "| **time to open** | between" "$rep"
contains "the report: the fast-fail latency" "held in all" "$rep"
lat=$(grep -o 'latency at most [0-9]*ms' "$S/cb-good1/REPORT.md" | head -1 | grep -o '[0-9]*')
le "while open, calls failed in under 50 ms (${lat}ms)" "${lat:-999}" 49
sbx up --bug no_breaker
repeat_drill 1 "$S/cb-bug" DEP_URL="$DB_URL" OPEN_WITHIN=8s
eq "circuit-breaker FAILs on --bug no_breaker ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and says the calls waited for the timeout" "latency 15" "$(cat "$S/cb-bug1.out")"
sbx up --no-bugs

# --- metrics in postgres-outage ---
DRILL=$SCN/postgres-outage.yaml
sbx up --bug stale_metrics
repeat_drill 1 "$S/pm-bug" TARGET_PIDFILE="$SBX/target.pid"
eq "postgres-outage FAILs on --bug stale_metrics ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "on the database gauge alone" "failed step 7 (line $(grep -n "value: \"< 1\"" "$DRILL" | cut -d: -f1)): expected metrics: metric shakedown_target_db_up < 1" "$(cat "$S/pm-bug1.out")"
nf=$(grep -c "failed step" "$S/pm-bug1.out")
eq "and nothing else failed" 1 "$nf"
sbx up --no-bugs
# (postgres-outage PASSes with its metrics on the reference target in t_80,
# which checks the 503 counter rose)

# --- the SLO's error budget, burned by a database outage under load ---
cat >"$S/slo.yaml" <<YAML
drill: slo-burn
target: $TARGET
services:
  db: { kind: postgres, url: "$DB_URL", stop: [$SHAKEDOWN, sandbox, stop, postgres], start: [$SHAKEDOWN, sandbox, start, postgres] }
load:
  data: { get: /api/records, connections: 4, rate: 100/s, timeout: 3s }
steps:
  - wait: 2s
  - stop: db
  - wait: 2s
  - start: db
  - wait: 2s
slo: { load: data, errors: 1%, availability: 99.9%, period: 7d }
YAML
"$SHAKEDOWN" run -r "$S/slo" "$S/slo.yaml" >"$S/slo.out" 2>&1
eq "a drill whose outage burns more than its budget FAILs its SLO" 1 "$?"
js=$S/slo/result.json
burned=$(jv "$js" "d['slo']['burned_pct']"); period=$(jv "$js" "d['slo']['period_s']")
pburned=$(jv "$js" "d['slo']['period_burned_pct']"); rate=$(jv "$js" "d['slo']['burn_rate']")
ge "the budget burned is over 100% of the drill's own (${burned}%)" "$burned" 100
eq "the period is 7 days" 604800 "${period%.*}"
ge "and a share of the 7-day budget is given (${pburned}%)" "$pburned" 0.00001
ge "with a burn rate above 1x (${rate})" "$rate" 1
contains "the report says so" "Over the objective's 7-day window the error budget is 10.1 min" "$(cat "$S/slo/REPORT.md")"

# --- the same against the Node service ---
NPORT=$((BASE + 90))
N=$WORK/node-seeds; mkdir -p "$N"
NROUTE_URL="postgresql://shakedown@127.0.0.1:$PROXY_PORT/postgres"
nvars=(SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT")
start_nodeapp "$N"
DRILL=$SCN/postgres-failover.yaml
repeat_drill 0 "$N/fo-good" "${nvars[@]}" WRITES_QUERY='SELECT key FROM node_writes WHERE key = ANY($1)'
eq "postgres-failover PASSes on the Node service, its own table ($REPEAT run(s))" "$REPEAT" "$GOT"
# (postgres-outage PASSes on it, metrics included, in t_82)
stop_nodeapp

start_nodeapp "$N" LOSE_WRITES=1 STALE_METRICS=1
DRILL=$SCN/postgres-failover.yaml
repeat_drill 1 "$N/fo-bug" "${nvars[@]}" WRITES_QUERY='SELECT key FROM node_writes WHERE key = ANY($1)'
eq "postgres-failover FAILs on the Node service with LOSE_WRITES=1 ($REPEAT run(s))" "$REPEAT" "$GOT"
DRILL=$SCN/postgres-outage.yaml
repeat_drill 1 "$N/pm-bug" "${nvars[@]}" TARGET_PIDFILE="$N/node.pid" DATA_ERROR="Database unavailable" \
	ERRORS_METRIC='http_requests_total{status="503"}' DB_UP_METRIC=db_up
eq "postgres-outage FAILs on the Node service with STALE_METRICS=1 ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp

# its breaker guards the database reached through the sandbox's proxy route
DRILL=$SCN/circuit-breaker.yaml
DB_URL_SAVED=$DB_URL; DB_URL=$NROUTE_URL
start_nodeapp "$N"
DB_URL=$DB_URL_SAVED
repeat_drill 0 "$N/cb-good" "${nvars[@]}" DEP_URL="$DB_URL"
eq "circuit-breaker PASSes on the Node service, seed 001's CircuitBreaker ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
DB_URL=$NROUTE_URL
start_nodeapp "$N" NO_BREAKER=1
DB_URL=$DB_URL_SAVED
repeat_drill 1 "$N/cb-bug" "${nvars[@]}" DEP_URL="$DB_URL" OPEN_WITHIN=8s
eq "circuit-breaker FAILs on the Node service with NO_BREAKER=1 ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
