# Quarter over quarter: a history of game days and the regression gate,
# from real runs on the sandbox — t_80's good redis-outage and
# postgres-outage (day 1), a second good run of both (day 2), and t_80's
# postgres-outage against --bug slow_recovery (day 3, still passing with a
# 15 s bound, but 8 s slower to recover). The gate flags day 3 and only it
# (day 2 is the same within its resolution); the chart passes the same
# checks as timeline.svg; everything is rendered from result.json read back.
H=$WORK/history; mkdir -p "$H/day1" "$H/day3"
SCN=$here/../../scenarios
TOOLS=$here/tools
export SHAKEDOWN_TARGET=$TARGET REDIS_URL DATABASE_URL=$DB_URL
R=${R:-$WORK/reports}
if [ ! -d "$R/truth" ]; then	# alone (SD_TEST_ONLY): t_80's runs, again
	mkdir -p "$R"
	sbx up --no-bugs
	"$SHAKEDOWN" run -r "$R/good-redis" "$SCN/redis-outage.yaml" >/dev/null 2>&1
	"$SHAKEDOWN" run -r "$R/good-pg" "$SCN/postgres-outage.yaml" >/dev/null 2>&1
	sbx up --bug slow_recovery
	RECOVERY_WITHIN=15s "$SHAKEDOWN" run -r "$R/truth" "$SCN/postgres-outage.yaml" >/dev/null 2>&1
fi
ln -s "$R/good-redis" "$H/day1/redis-outage"
ln -s "$R/good-pg" "$H/day1/postgres-outage"
ln -s "$R/truth" "$H/day3/postgres-outage"
sbx up --no-bugs
"$SHAKEDOWN" run -r "$H/day2" "$SCN/redis-outage.yaml" "$SCN/postgres-outage.yaml" >"$H/day2.out" 2>&1
eq "day 2: both drills PASS" 0 $?

out=$("$SHAKEDOWN" report --history -o "$H/out" "$H/day3" "$H/day1" "$H/day2" 2>&1); rc=$?
eq "report --history: exit 0" 0 "$rc"
contains "... says how many game days" "3 game day(s)" "$out"
md=$(cat "$H/out/HISTORY.md")
contains "HISTORY.md: a table per drill" "## postgres-outage" "$md"
contains "... with the key times as columns" "| game day | verdict | time to not ready |" "$md"
rows=$(awk '/^## postgres-outage/{f=1;next} /^## /{f=0} f && /^\| 20/' "$H/out/HISTORY.md")
eq "... one row a game day" 3 "$(grep -c . <<<"$rows")"
ok "... oldest first" sort -c <<<"$(cut -d'|' -f2 <<<"$rows" | cut -c2-17)"
contains "a drill missing from a game day is a gap, not a zero" "— (not run)" "$(sed -n '/^## redis-outage/,/^## /p' "$H/out/HISTORY.md")"
eq "history.svg against the results" ok "$(python3 "$TOOLS/histcheck.py" "$H/out" "$H/day1" "$H/day2" "$H/day3")"
b=$(bash "$TOOLS/browser.sh" "$H/out" history.svg)
contains "history.svg renders in Chromium" "ok " "$b"

# the gate: day 2 is no regression, day 3 is
out=$("$SHAKEDOWN" report --compare --fail-on-regression "$H/day1" "$H/day2" 2>&1); rc=$?
eq "day 1 vs day 2 (the same, within resolution): exit 0" 0 "$rc"
contains "... 0 regressions" "0 regression(s)" "$out"
out=$("$SHAKEDOWN" report --compare --fail-on-regression -o "$H/cmp" "$H/day1" "$H/day3" 2>&1); rc=$?
eq "day 1 vs day 3: exit 6" 6 "$rc"
contains "... the slow recovery is the regression" "REGRESSED  postgres-outage: recovery:" "$out"
eq "... and the only one" 1 "$(grep -c REGRESSED <<<"$out")"
contains "... redis-outage missing is listed, not counted" "redis-outage: drill: missing" "$out"
contains "COMPARE.md written" "❌ regression" "$(cat "$H/cmp/COMPARE.md")"
out=$("$SHAKEDOWN" report --compare --fail-on-regression --tolerance recovery=20s "$H/day1" "$H/day3" 2>&1)
eq "a tolerance on the command line: 20s for recovery, no regression" 0 $?
eq "report --compare without two folders: exit 2" 2 "$("$SHAKEDOWN" report --compare "$H/day1" >/dev/null 2>&1; echo $?)"

# run --baseline: the comparison in REPORT.md, result.json, the terminal
"$SHAKEDOWN" run -r "$H/vs" --baseline "$H/day1" --fail-on-regression "$SCN/redis-outage.yaml" >"$H/vs.out" 2>&1
eq "run --baseline with no regression: exit 0" 0 $?
contains "REPORT.md compares with the baseline" "## Compared with the baseline" "$(cat "$H/vs/REPORT.md")"
contains "result.json keeps the comparison" '"comparison"' "$(cat "$H/vs/result.json")"
contains "the terminal says so" "compared with $H/day1: 0 regression(s)" "$(cat "$H/vs.out")"
"$SHAKEDOWN" -q report -o "$H/vs2" "$H/vs/result.json" >/dev/null 2>&1
ok "REPORT.md with a comparison renders again byte for byte" cmp "$H/vs/REPORT.md" "$H/vs2/REPORT.md"
eq "run --baseline of a folder with no result: exit 2" 2 "$("$SHAKEDOWN" run --baseline "$H/nothing" "$SCN/redis-outage.yaml" >/dev/null 2>&1; echo $?)"

# an older result (schema_version 1) still reads
python3 - "$R/good-pg/result.json" "$H/v1/postgres-outage/result.json" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1])); r["schema_version"] = 1
for k in r["key_times"]: k.pop("bound_ms", None)
for x in r["expectations"]: x.pop("bound_ms", None)
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True); json.dump(r, open(sys.argv[2], "w"))
PY
ok "a schema_version 1 result reads in a history" "$SHAKEDOWN" -q report --history -o "$H/out1" "$H/v1" "$H/day2"

# 50 game days of 11 drills: read, laid out (make bench times it)
python3 "$here/../tools/manydays.py" "$R/good-pg/result.json" "$H/many" 50 11
t0=$(now_ms)
ok "report --history over 50 game days of 11 drills" "$SHAKEDOWN" -q report --history -o "$H/manyout" "$H"/many/day-*
echo "        (took $(( $(now_ms) - t0 ))ms; make bench measures it)"
eq "... 11 drills in HISTORY.md" 11 "$(grep -c '^## ' "$H/manyout/HISTORY.md")"
unset SHAKEDOWN_TARGET DATABASE_URL
