# Reports people look at and what CI reads: the timeline chart (checked
# against result.json, and opened in headless Chromium), `shakedown report`
# (byte-identical re-render, merge of several runs), GitHub's job summary,
# the Prometheus textfile, JUnit, `load --merge`, the progress line, the
# examples and `make install`.
sbx up --no-bugs
export SHAKEDOWN_TARGET=$TARGET DATABASE_URL=$DB_URL REDIS_URL=$REDIS_URL
SCN=$here/../../scenarios
T=$WORK/reports; mkdir -p "$T"
TOOLS=$here/tools

# a drill that FAILs on the good target: its /health is never 500
cat >"$T/fails.yaml" <<YAML
drill: always-fails
title: A drill that cannot pass
target: \${SHAKEDOWN_TARGET}
probes:
  health: { path: /health, every: 50ms }
steps:
  - wait: 300ms
  - expect: { probe: health, status: 500, within: 300ms }
YAML

# one run of three drills, with the job summary and the textfile
printf '# earlier step\n' >"$T/gh.md"
mkdir -p "$T/prom"
GITHUB_STEP_SUMMARY=$T/gh.md WARMUP=1s WINDOW=4s "$SHAKEDOWN" run -r "$T/a" \
	--prom "$T/prom/shakedown.prom" "$SCN/redis-outage.yaml" \
	"$SCN/health-load.yaml" "$T/fails.yaml" >"$T/a.out" 2>&1
eq "a run of 3 drills, one failing, exits 1" 1 $?

for d in redis-outage health-load always-fails; do
	ok "$d: timeline.svg written" test -s "$T/a/$d/timeline.svg"
	contains "$d: REPORT.md shows the chart" "](timeline.svg)" "$(cat "$T/a/$d/REPORT.md")"
	eq "$d: the chart is well-formed and holds the series of result.json" ok \
		"$(python3 "$TOOLS/svgcheck.py" "$T/a/$d")"
done
# the check can fail: a chart with a sample dropped is caught
cp -a "$T/a/redis-outage" "$T/tampered"
sed -i '0,/data-n="\([0-9]*\)"/s//data-n="999999"/' "$T/tampered/timeline.svg"
ne "svgcheck notices a chart that lost samples" ok "$(python3 "$TOOLS/svgcheck.py" "$T/tampered")"
contains "health-load's chart has its load panel" 'class="load" data-name="clients"' \
	"$(cat "$T/a/health-load/timeline.svg")"
contains "redis-outage's chart shades its fault" 'class="fault"' "$(cat "$T/a/redis-outage/timeline.svg")"
contains "redis-outage's chart marks its key times" 'class="key-time" data-name="recovery"' \
	"$(cat "$T/a/redis-outage/timeline.svg")"

# in a real browser, as GitHub shows it: an <img> of the report folder
b=$(bash "$TOOLS/browser.sh" "$T/a/redis-outage")
contains "Chromium renders redis-outage's chart without errors ($b)" "ok 960x" "$b"
painted=$(printf '%s' "$b" | sed -n 's/.*painted=\([0-9]*\).*/\1/p')
ge "... and it is not blank (${painted:-0} painted pixels)" "${painted:-0}" 20000
b=$(bash "$TOOLS/browser.sh" "$T/a/health-load")
contains "Chromium renders health-load's chart ($b)" "ok 960x" "$b"

# shakedown report: the same bytes again, in place
cp -a "$T/a" "$T/a.orig"
"$SHAKEDOWN" report "$T/a" >"$T/rep.out" 2>&1; eq "report re-renders a run's folder" 0 $?
ok "report: every file byte-identical to the run's (REPORT.md, junit.xml, timeline.svg, SUMMARY.md)" \
	diff -r "$T/a" "$T/a.orig"
touch -d '1 hour ago' "$T/a/redis-outage/REPORT.md"
"$SHAKEDOWN" report "$T/a/redis-outage/result.json" >/dev/null 2>&1
ok "report of one result.json: identical too" cmp "$T/a/redis-outage/REPORT.md" "$T/a.orig/redis-outage/REPORT.md"
ok "... and it did write the file again" test "$T/a/redis-outage/REPORT.md" -nt "$T/a/health-load/REPORT.md"

# a second run (a game day in parts), then the merge
"$SHAKEDOWN" run -r "$T/b" "$SCN/redis-outage.yaml" >"$T/b.out" 2>&1
eq "the second part PASSes" 0 $?
"$SHAKEDOWN" report -o "$T/m" "$T/a" "$T/b" >"$T/m.out" 2>&1; eq "report -o merges two runs" 0 $?
contains "merge: what it wrote" "SUMMARY.md: 3 of 4 drill(s) passed" "$(cat "$T/m.out")"
eq "merge: one row per drill, in the order they started" \
	"redis-outage health-load always-fails redis-outage" \
	"$(grep '^| [a-z]' "$T/m/SUMMARY.md" | grep -v '^| drill' | awk -F'|' '{gsub(/ /,"",$2); printf "%s%s", (n++ ? " " : ""), $2}')"
ok "merge: the same drill twice gets a folder each" test -s "$T/m/redis-outage-2/REPORT.md"
contains "merge: SUMMARY.md links it" "(redis-outage-2/REPORT.md)" "$(cat "$T/m/SUMMARY.md")"
ok "merge: result.json copied byte for byte" cmp "$T/m/redis-outage-2/result.json" "$T/b/result.json"
ok "merge: the drill's report is the run's" cmp "$T/m/health-load/REPORT.md" "$T/a/health-load/REPORT.md"
eq "merge: junit.xml counts add up (suites, tests, failures)" ok "$(python3 - "$T/a/junit.xml" "$T/b/junit.xml" "$T/m/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
def c(p):
    r = ET.parse(p).getroot()
    s = r.findall("testsuite")
    return len(s), sum(int(x.get("tests")) for x in s), sum(int(x.get("failures")) for x in s)
a, b, m = map(c, sys.argv[1:])
print("ok" if m == tuple(x + y for x, y in zip(a, b)) and m[2] >= 1 else (a, b, m))
PY
)"
"$SHAKEDOWN" report -o "$T/m2" "$T/a/redis-outage" "$T/a/redis-outage/result.json" >/dev/null 2>&1
ok "merge: the same result named twice counts once (one report, no DRILL-2)" \
	test -s "$T/m2/REPORT.md" -a ! -e "$T/m2/redis-outage-2" -a ! -e "$T/m2/SUMMARY.md"

# bad input: a clear error, exit 2, nothing written
printf '{"schema_version": 1,\n  "drill": }\n' >"$T/broken.json"
out=$("$SHAKEDOWN" report -o "$T/never" "$T/broken.json" 2>&1); rc=$?
eq "report: a broken result.json exits 2" 2 $rc
contains "... naming file:line:col" "$T/broken.json:2:" "$out"
ok "... and writes nothing" test ! -e "$T/never"
out=$("$SHAKEDOWN" report "$WORK/state" 2>&1); eq "report: a folder without results exits 2" 2 $?
contains "... and says so" "no result.json" "$out"
out=$("$SHAKEDOWN" report "$T/a" "$T/b" 2>&1); eq "report: several results without -o exits 2" 2 $?
echo '{"schema_version": 1, "drill": "x", "verdict": "PASS", "probes": [{"name": "p", "samples": 3, "series": {"t_ms": [1, 2, 3], "status": [200], "latency_ms": "no"}}], "bursts": [{"users": 99999999, "per_user_results": [{}]}], "loads": [{"series": [{"t_s": 0}], "phases": 7}]}' >"$T/odd.json"
"$SHAKEDOWN" report -o "$T/odd" "$T/odd.json" >/dev/null 2>&1
eq "report: a result.json with odd fields renders (no crash)" 0 $?

# GitHub's job summary: appended, not replacing
contains "GITHUB_STEP_SUMMARY: what was there stays" "# earlier step" "$(head -1 "$T/gh.md")"
contains "GITHUB_STEP_SUMMARY: the game-day table appended" "Game day — 2 of 3 drill(s) passed" "$(cat "$T/gh.md")"
contains "GITHUB_STEP_SUMMARY: the failure is spelled out" "failed step" "$(cat "$T/gh.md")"
le "GITHUB_STEP_SUMMARY: well under GitHub's 1 MiB" "$(stat -c %s "$T/gh.md")" 524288

# the Prometheus textfile: renamed into place, exposition format
P=$T/prom/shakedown.prom
eq "prom: only the textfile in its folder (no temp file left)" "shakedown.prom" "$(ls "$T/prom")"
contains "prom: verdict per drill" 'shakedown_drill_passed{drill="redis-outage"} 1' "$(cat "$P")"
contains "prom: the failing drill" 'shakedown_drill_verdict{drill="always-fails",verdict="FAIL"} 1' "$(cat "$P")"
contains "prom: key times" 'shakedown_key_time_seconds{drill="redis-outage",name="recovery"}' "$(cat "$P")"
eq "prom: every line is a comment or name{labels} value, every family typed" ok "$(python3 - "$P" <<'PY'
import re, sys
typed, bad = set(), []
for l in open(sys.argv[1]):
    l = l.rstrip("\n")
    m = re.match(r'# TYPE (\w+) (gauge|counter)$', l)
    if m: typed.add(m.group(1)); continue
    if l.startswith("# HELP "): continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+)$', l)
    if not m or m.group(1) not in typed: bad.append(l)
print("ok" if not bad else bad[:3])
PY
)"
ts=$(sed -n 's/^shakedown_drill_start_timestamp_seconds{drill="redis-outage"} //p' "$P")
le "prom: the start timestamp is in the last 10 minutes" "$(( $(date +%s) - ${ts%.*} ))" 600

# JUnit: the subset GitHub's reporters, GitLab and Jenkins all read
eq "junit: testsuites > testsuite[name,tests,failures,errors,skipped,time] > testcase[classname,name,time] > failure[message,type]" ok \
	"$(python3 - "$T/a/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); bad = []
if r.tag != "testsuites": bad.append(r.tag)
tot = 0
for s in r.findall("testsuite"):
    for a in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp"):
        if s.get(a) is None: bad.append("testsuite@" + a)
    cases = s.findall("testcase")
    if int(s.get("tests")) != len(cases): bad.append("tests=%s, %d cases" % (s.get("tests"), len(cases)))
    if int(s.get("failures")) != sum(1 for c in cases if c.find("failure") is not None): bad.append("failures")
    tot += len(cases)
    for c in cases:
        for a in ("classname", "name", "time"):
            if c.get(a) is None: bad.append("testcase@" + a)
        for f in c.findall("failure") + c.findall("error"):
            if not f.get("message") or not f.get("type"): bad.append("failure@message/type")
if int(r.get("tests", -1)) != tot: bad.append("testsuites@tests")
print("ok" if not bad else bad[:4])
PY
)"

# load --merge: the sum of its parts, bucket by bucket
L=$T/load
mkdir -p "$L"
"$SHAKEDOWN" load --json -R 200/s -c 4 -d 2s "$TARGET/health" >"$L/a.json" &
lp=$!
"$SHAKEDOWN" load --json -c 2 -d 2s "$TARGET/api/ready" >"$L/b.json"
wait $lp
"$SHAKEDOWN" load --merge --json "$L/a.json" "$L/b.json" >"$L/m.json"; eq "load --merge exits 0" 0 $?
eq "load --merge: requests, errors, statuses, buckets, percentiles are the sum of the parts" ok \
	"$(python3 - "$L/a.json" "$L/b.json" "$L/m.json" <<'PY'
import json, sys
a, b, m = [json.load(open(p)) for p in sys.argv[1:]]
bad = []
for k in ("requests", "errors", "connections"):
    if m[k] != a[k] + b[k]: bad.append(k)
if abs(m["rps"] - (a["rps"] + b["rps"])) > 1e-6 * m["rps"]: bad.append("rps")
if m["parts"] != 2: bad.append("parts")
st = dict(a["status"])
for k, v in b["status"].items(): st[k] = st.get(k, 0) + v
if st != m["status"]: bad.append("status")
for h in ("corrected", "uncorrected", "accepted"):
    s = {}
    for p in (a, b):
        for v, c in p["histograms"][h]["buckets"]: s[v] = s.get(v, 0) + c
    mh = m["histograms"][h]
    if s != {v: c for v, c in mh["buckets"]}: bad.append(h + " buckets")
    if mh["min_us"] != min(a["histograms"][h]["min_us"], b["histograms"][h]["min_us"]): bad.append(h + " min")
    if mh["max_us"] != max(a["histograms"][h]["max_us"], b["histograms"][h]["max_us"]): bad.append(h + " max")
# the percentiles of the summed buckets, as hist.c reads them
h = m["histograms"]["corrected"]; n = h["count"]
for p in (50, 90, 99):
    want = max(1, int(p / 100 * n + 0.5)); seen = 0
    for v, c in sorted(h["buckets"]):
        seen += c
        if seen >= want:
            v = min(max(v, h["min_us"]), h["max_us"]); break
    if abs(m["latency_ms"]["p%d" % p] - v / 1000) > 1e-9: bad.append("p%d %s != %s" % (p, m["latency_ms"]["p%d" % p], v / 1000))
if m["latency_ms"]["max"] != max(a["latency_ms"]["max"], b["latency_ms"]["max"]): bad.append("max")
print("ok" if not bad else bad)
PY
)"
"$SHAKEDOWN" load --merge --json "$L/m.json" "$L/a.json" >"$L/mm.json"
eq "load --merge of a merge: parts and requests keep adding" ok "$(python3 -c 'import json,sys
a,m,mm=[json.load(open(p)) for p in sys.argv[1:]]
print("ok" if mm["parts"]==3 and mm["requests"]==m["requests"]+a["requests"] else mm["parts"])' "$L/a.json" "$L/m.json" "$L/mm.json")"
out=$("$SHAKEDOWN" load --merge "$T/a/redis-outage/result.json" 2>&1); eq "load --merge of a drill result exits 2" 2 $?
contains "... saying why" "not the JSON of 'shakedown load --json'" "$out"

# the progress line: on a terminal only, and not with NO_COLOR or -q
cat >"$T/slow.yaml" <<YAML
drill: slow
title: Waits
target: \${SHAKEDOWN_TARGET}
probes:
  health: { path: /health, every: 100ms }
steps:
  - wait: 1500ms
YAML
script -qec "$SHAKEDOWN run $T/slow.yaml" /dev/null >"$T/tty.out" 2>&1
contains "progress: on a terminal, drill step n/m, what it waits for, time" "slow 1/1: wait 1.50s (" "$(tr '\r' '\n' <"$T/tty.out")"
ge "progress: the clock moves while a step waits (redrawn lines)" "$(tr '\r' '\n' <"$T/tty.out" | grep -c 'slow 1/1: wait')" 4
NO_COLOR=1 script -qec "$SHAKEDOWN run $T/slow.yaml" /dev/null >"$T/nocolor.out" 2>&1
eq "progress: nothing extra with NO_COLOR" 0 "$(grep -c $'\033\\[K' "$T/nocolor.out")"
script -qec "$SHAKEDOWN -q run $T/slow.yaml" /dev/null >"$T/quiet.out" 2>&1
eq "progress: nothing extra with -q" 0 "$(grep -c $'\033\\[K' "$T/quiet.out")"
"$SHAKEDOWN" run "$T/slow.yaml" >"$T/pipe.out" 2>&1
eq "progress: nothing extra when not a terminal" 0 "$(grep -c $'\033\\[K' "$T/pipe.out")"

# the examples: valid YAML, and only commands and options shakedown has
eq "examples: valid YAML of the shape each CI reads" ok "$(python3 - "$here/../../examples" <<'PY'
import sys, yaml
d = sys.argv[1]; bad = []
gh = yaml.safe_load(open(d + "/github-gameday.yml"))
on = gh.get("on", gh.get(True))	# YAML 1.1 reads a bare on: as true
if not on["schedule"][0]["cron"]: bad.append("github cron")
for j in gh["jobs"].values():
    if not j["steps"] or not all(("run" in s) != ("uses" in s) for s in j["steps"]): bad.append("github steps")
gl = yaml.safe_load(open(d + "/gitlab-gameday.yml"))
if gl["gameday"]["artifacts"]["reports"]["junit"] != "reports/junit.xml": bad.append("gitlab junit")
k = yaml.safe_load(open(d + "/k8s-load-job.yaml"))
if k["kind"] != "Job" or k["spec"]["completionMode"] != "Indexed": bad.append("k8s")
print("ok" if not bad else bad)
PY
)"
ok "action.yml: the shape GitHub reads (composite, shells, inputs, outputs)" \
	python3 "$here/../package/action.py" "$here/../../action.yml" --check-only
# the action's shell steps (its names and descriptions are prose)
python3 -c 'import sys, yaml
for s in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]: print(s.get("run", ""))' \
	"$here/../../action.yml" >"$T/action-steps.sh"
bad=""
for f in "$here"/../../examples/* "$T/action-steps.sh"; do
	while read -r sub rest; do
		help=$("$SHAKEDOWN" help "$sub" 2>&1) || { bad="$bad $sub"; continue; }
		for o in $(printf '%s\n' "$rest" | grep -o -- '--[a-z-]*' | sort -u); do
			case "$help" in *"$o"*) ;; *) bad="$bad $sub$o";; esac
		done
	done < <(sed 's/#.*//' "$f" | grep -oE '(^|[[:space:]])shakedown (-q )?[a-z]+[^"&|>]*' |
		sed -E 's/^[[:space:]]*shakedown (-q )?//')
done
eq "examples: every 'shakedown COMMAND --option' is documented" "" "$bad"

# make install: the binary, the man pages, the drills, the examples
I=$T/inst
make -s -C "$here/../.." BUILD="$(dirname "$SHAKEDOWN")" DESTDIR="$I" PREFIX=/usr install >"$T/install.out" 2>&1
eq "make install DESTDIR=... PREFIX=/usr" 0 $?
ok "install: bin/shakedown runs" "$I/usr/bin/shakedown" --version
eq "install: every man page" "$(ls "$here"/../../man | wc -l)" "$(ls "$I"/usr/share/man/man*/ | grep -c '\.[157]$')"
eq "install: every shipped drill" "$(ls "$SCN"/*.yaml | wc -l)" "$(ls "$I"/usr/share/shakedown/scenarios/*.yaml | wc -l)"
ok "install: the examples" test -s "$I/usr/share/doc/shakedown/examples/github-gameday.yml"
ok "install: the installed drills validate" "$I/usr/bin/shakedown" -q validate "$I"/usr/share/shakedown/scenarios/*.yaml
make -s -C "$here/../.." BUILD="$(dirname "$SHAKEDOWN")" DESTDIR="$I" PREFIX=/usr uninstall >/dev/null 2>&1
eq "make uninstall leaves nothing" "" "$(find "$I" -type f)"
