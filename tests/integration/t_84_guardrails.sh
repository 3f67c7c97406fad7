# Guardrails: each kind of abort condition trips on a real sandbox target —
# a bystander that fails with --bug cascade, a load whose errors pass the
# bound, a metric, the SLO's burn rate — and the same drills PASS on the
# good target; max_fault_time and halt_file; --abort-if. After each trip
# every fault is reverted (the time from the trip measured, goal < 1 s) and
# nothing is left; ABORTED is never a PASS or a FAIL in any output.
G=$WORK/guard; mkdir -p "$G"
export SHAKEDOWN_TARGET=$TARGET REDIS_URL DATABASE_URL=$DB_URL

redis_back() { [ "$(redis-cli -p "$REDIS_PORT" PING 2>/dev/null)" = PONG ] &&
	"$SHAKEDOWN" -q status >/dev/null 2>&1; }
# gdrill NAME [args...]: runs $G/NAME.yaml into $G/NAME/, RC, OUT
gdrill() {
	local n=$1; shift
	"$SHAKEDOWN" run -r "$G/$n" "$@" "$G/$n.yaml" >"$G/$n.out" 2>&1
	RC=$?
	OUT=$(cat "$G/$n.out")
}
abort_field() { python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["abort"]
print(a[sys.argv[2]] if a else "none")' "$G/$1/result.json" "$2"; }

# Redis goes away for 6 s; the bystander (/api/compute) needs nothing
cat >"$G/bystander.yaml" <<'YAML'
drill: bystander
target: ${SHAKEDOWN_TARGET}
services:
  redis: { kind: redis, url: "${REDIS_URL}", stop: shakedown sandbox stop redis, start: shakedown sandbox start redis }
probes:
  health: { get: /health, every: 100ms }
  bystander: { get: /api/compute, every: 100ms }
abort:
  - { probe: bystander, status: 5xx, for: 1s }
steps:
  - stop: redis
  - wait: 4s
  - expect: { probe: health, status: 200 }
  - start: redis
  - expect: { probe: health, json: { status: ok }, within: 10s }
YAML
cat >"$G/loaded.yaml" <<'YAML'
drill: loaded
target: ${SHAKEDOWN_TARGET}
services:
  redis: { kind: redis, url: "${REDIS_URL}", stop: shakedown sandbox stop redis, start: shakedown sandbox start redis }
probes:
  health: { get: /health, every: 100ms }
  metrics: { get: /metrics, every: 100ms }
load:
  main: { get: /api/compute, connections: 2, rate: 50/s }
slo: { load: main, availability: 99.9% }
abort:
  - { load: main, error_share: "> 50%", for: 1s, when: "${LOAD_GUARD-}" }
  - { probe: metrics, metric: shakedown_target_redis_up, value: "< 1", for: 1s, when: "${METRIC_GUARD-}" }
  - { slo: burn_rate, value: "> 100", for: 1s, when: "${BURN_GUARD-}" }
steps:
  - stop: redis
  - wait: 4s
  - start: redis
  - expect: { probe: health, json: { status: ok }, within: 10s }
YAML

# --- on the target whose bystander fails with Redis ---
sbx up --bug cascade
gdrill bystander
eq "bystander 5xx for 1s: ABORTED, exit 5" 5 "$RC"
contains "the terminal says ABORTED and why" "ABORTED bystander" "$OUT"
contains "... the condition and what it saw" "abort condition held: bystander: HTTP 5xx for 1.00s (line 9): HTTP 500 in every answer" "$OUT"
ms=$(abort_field bystander reverted_in_ms)
le "bystander: trip to every fault reverted ${ms}ms (< 1000)" "$ms" 999
ok "bystander: Redis is back and nothing is journaled open" redis_back
contains "REPORT.md leads with ABORTED" "**Verdict: ABORTED**" "$(sed -n 3p "$G/bystander/REPORT.md")"
contains "REPORT.md has the guardrail's table" "| abort condition | bystander: HTTP 5xx for 1.00s (line 9) |" "$(cat "$G/bystander/REPORT.md")"
contains "junit: an error, not a failure" 'failures="0" errors="1"' "$(cat "$G/bystander/junit.xml")"
contains "junit: the error case names the guardrail" 'name="ABORTED by abort condition"' "$(cat "$G/bystander/junit.xml")"
contains "the chart marks the abort" 'class="abort"' "$(cat "$G/bystander/timeline.svg")"
eq "result.json: verdict ABORTED" ABORTED "$(jfield verdict <"$G/bystander/result.json")"
eq "result.json: exit_code 5" 5 "$(jfield exit_code <"$G/bystander/result.json")"
eq "result.json: abort.by" "abort condition" "$(abort_field bystander by)"
# rendered again from result.json: the same bytes
"$SHAKEDOWN" -q report -o "$G/again" "$G/bystander/result.json" >/dev/null 2>&1
ok "report renders the ABORTED REPORT.md again byte for byte" cmp "$G/bystander/REPORT.md" "$G/again/REPORT.md"

for kind in LOAD METRIC BURN; do
	gdrill loaded --var "${kind}_GUARD=on"
	eq "$kind condition: ABORTED, exit 5" 5 "$RC"
	ms=$(abort_field loaded reverted_in_ms)
	le "$kind: trip to every fault reverted ${ms}ms (< 1000)" "$ms" 999
	ok "$kind: nothing left" redis_back
	cp "$G/loaded/result.json" "$G/$kind.json"
done
share=$(jfield abort.observed <"$G/LOAD.json" | sed -n 's/^error share \([0-9.]*\)% .*/\1/p')
ge "load: the error share it saw (${share:-none}%) is over the bound 50%" "${share:-0}" 50.01
contains "metric: the gauge it saw" "shakedown_target_redis_up = 0" "$(jfield abort.observed <"$G/METRIC.json")"
burn=$(jfield abort.observed <"$G/BURN.json" | sed -n 's/^burn rate \([0-9.]*\) .*/\1/p')
ge "burn rate: the rate it saw (${burn:-none}) is over the bound 100" "${burn:-0}" 100.01
contains "the guardrails switched off are shown skipped" "skipped abort" "$OUT"

# the whole machine's CI outputs say ABORTED too
GITHUB_STEP_SUMMARY=$G/summary.md "$SHAKEDOWN" run --prom "$G/drills.prom" "$G/bystander.yaml" >/dev/null 2>&1
contains "job summary: ABORTED" "ABORTED" "$(cat "$G/summary.md")"
contains "prom: verdict ABORTED" 'verdict="ABORTED"} 1' "$(cat "$G/drills.prom")"
contains "prom: exit code 5" 'shakedown_drill_exit_code{drill="bystander"} 5' "$(cat "$G/drills.prom")"

# max_fault_time and halt_file
sed 's/^abort:/max_fault_time: 1s\nabort:/; s/status: 5xx, for: 1s/status: 5xx, for: 1s, when: "${NONE-}"/' \
	"$G/bystander.yaml" >"$G/maxfault.yaml"
gdrill maxfault
eq "max_fault_time 1s: ABORTED, exit 5" 5 "$RC"
# (the guardrails look every 100 ms: 1.0x or 1.1x s)
contains "... by max_fault_time" "stopped by max_fault_time: a fault in effect for 1." "$OUT"
ok "max_fault_time: nothing left" redis_back
sed "s|^abort:|halt_file: $G/stop-now\nabort:|; s/status: 5xx, for: 1s/status: 5xx, for: 1s, when: \"\${NONE-}\"/" \
	"$G/bystander.yaml" >"$G/haltfile.yaml"
rm -f "$G/stop-now"
( sleep 1.5; touch "$G/stop-now" ) &
gdrill haltfile
eq "halt_file appearing: ABORTED, exit 5" 5 "$RC"
contains "... says the file appeared" "stopped by halt_file: $G/stop-now appeared" "$OUT"
ok "halt_file: nothing left" redis_back
gdrill haltfile
eq "halt_file already there: ABORTED before any fault" 5 "$RC"
contains "... nothing was applied" "nothing was applied" "$OUT"
rm -f "$G/stop-now"

# --abort-if, for a drill one may not edit
sed '/^abort:/,/^steps:/{/^steps:/!d}' "$G/bystander.yaml" >"$G/plain.yaml"
gdrill plain --abort-if '{ probe: bystander, status: 5xx, for: 1s }'
eq "--abort-if: ABORTED, exit 5" 5 "$RC"
contains "... named as --abort-if" "(--abort-if)" "$OUT"
ok "--abort-if: nothing left" redis_back
gdrill plain --abort-if '{ probe: nosuch, status: 5xx, for: 1s }'
eq "--abort-if naming no probe: exit 2" 2 "$RC"
contains "... with its position" "--abort-if:1:10: no probe named 'nosuch'" "$OUT"
eq "... and Redis was never stopped" PONG "$(redis-cli -p "$REDIS_PORT" PING)"
contains "plan shows the guardrails" "abort if bystander: HTTP 5xx for 1.00s (--abort-if)" \
	"$("$SHAKEDOWN" plan --abort-if '{ probe: bystander, status: 5xx, for: 1s }' "$G/plain.yaml")"

# --- on the good target the same guardrails never trip ---
sbx up --no-bugs
gdrill bystander
eq "good target: the bystander drill PASSes (its guardrail holds still)" 0 "$RC"
gdrill loaded --var LOAD_GUARD=on --var BURN_GUARD=on
eq "good target: the load and burn-rate guardrails hold still" 0 "$RC"
eq "good target: no abort in result.json" none "$(abort_field loaded by)"
unset SHAKEDOWN_TARGET DATABASE_URL
