# The load engine, the AI-guard burst and the high-load drill.
sbx up --no-bugs
export SHAKEDOWN_TARGET=$TARGET
SCN=$here/../../scenarios
L=$WORK/load; mkdir -p "$L"

# shakedown load --json: the fields, and the numbers add up
"$SHAKEDOWN" load --json -c 20 -d 2s "$TARGET/health" >"$L/closed.json"; eq "load --json exits 0" 0 $?
fields=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
need=["requests","errors","duration_s","rps","latency_ms","status"]
lat=["p50","p90","p95","p99","p999","max"]
miss=[k for k in need if k not in j]+["latency_ms."+k for k in lat if k not in j.get("latency_ms",{})]
print(",".join(miss) or "all")' "$L/closed.json")
eq "load --json has every field" all "$fields"
sums=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
print("ok" if j["requests"]>100 and sum(j["status"].values())==j["requests"] and j["errors"]==0 and abs(j["rps"]-j["requests"]/j["duration_s"])<1 else j)' "$L/closed.json")
eq "load: status counts add up to the requests, no errors" ok "$sums"
# the open model keeps its rate (a bound, not a timing: 2 s at 300/s)
"$SHAKEDOWN" load --json -R 300/s -c 20 -d 2s "$TARGET/health" >"$L/open.json"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$L/open.json")
ge "open model sent at least 95% of 600 requests ($n)" "$n" 570
le "open model never overshoots 600 requests ($n)" "$n" 601
# the schedule costs no timer (issue 40): no timerfd, and at most about two
# waits a request (a nap until the send is due, a look at what came), counted
# by strace — counts, not timings
strace -f -c -o "$L/open.strace" "$SHAKEDOWN" load --json -R 500/s -c 20 -d 2s "$TARGET/health" >"$L/open2.json" 2>&1
sys_of() { awk -v s="$1" '$NF==s{print $4}' "$L/open.strace"; }
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$L/open2.json")
eq "open model: no timer armed a request (timerfd_settime: none)" "" "$(sys_of timerfd_settime)"
waits=$(( $(sys_of clock_nanosleep || echo 0) + $(sys_of epoll_pwait2 || echo 0) + 0 ))
le "open model: at most 2.2 waits a request ($waits for $n)" "$waits" "$(( n * 22 / 10 + 20 ))"
eq "load --json: how late the sends went, p50 <= p99 <= p99.9 <= max" ok "$(python3 -c 'import json,sys
l = json.load(open(sys.argv[1]))["send_late"]
print("ok" if 0 <= l["p50_us"] <= l["p99_us"] <= l["p999_us"] <= l["max_us"] and l["over_1ms"] >= 0 else l)' "$L/open2.json")"
contains "load's text says how late the sends went" "sent after their time by" \
	"$("$SHAKEDOWN" load -R 100/s -c 5 -d 1s "$TARGET/health" 2>&1)"
# latency from the kernel's arrival times: against a known delay (the fault
# proxy adding 50 ms in front of the target), both models measure 50 ms and
# a little, never less
"$SHAKEDOWN" -q fault proxy listen=127.0.0.1:$((BASE + 198)) upstream=127.0.0.1:$TARGET_PORT \
	latency=50ms --for 20s >"$L/kproxy.out" 2>&1 & kp=$!
wait_for 5 code_is "http://127.0.0.1:$((BASE + 198))/health" 200 >/dev/null
for m in "-R 100/s" "-c 5"; do
	"$SHAKEDOWN" load --json $m -d 2s "http://127.0.0.1:$((BASE + 198))/health" >"$L/known.json"
	p50=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_ms"]["p50"])' "$L/known.json")
	ge "load $m through 50 ms of latency: p50 at least 50 ms ($p50)" "$p50" 50
	le "... and within 10 ms of it ($p50)" "$p50" 60
done
kill "$kp" 2>/dev/null; wait "$kp" 2>/dev/null
# failed requests count: a port nobody listens on
"$SHAKEDOWN" load --json -c 4 -d 1s "http://127.0.0.1:$((BASE + 199))/" >"$L/refused.json"
eq "refused connections are counted as errors, with backoff (few, not thousands)" ok "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
print("ok" if j["errors"]==j["requests"]>0 and j["errors_by_class"]["connect"]==j["errors"] and j["requests"]<1000 else j["requests"])' "$L/refused.json")"

# coordinated omission: a target that stalls 1 s (SIGSTOP) shows in corrected latency
"$SHAKEDOWN" load --json -R 200/s -c 10 -d 3s "$TARGET/health" >"$L/stall.json" &
lp=$!
sleep 1; kill -STOP "$(cat "$SBX/target.pid")"; sleep 1; kill -CONT "$(cat "$SBX/target.pid")"
wait "$lp"
co=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["latency_ms"]; u=j["latency_uncorrected_ms"]
print("ok" if c["p99"]>=500 and c["p90"]>u["p90"] else (c,u))' "$L/stall.json")
eq "a 1s stall shows in the corrected p99 (>= 500ms) and exceeds the uncorrected view" ok "$co"

# the AI guard burst: PASS on the good target, FAIL on --bug no_guard
"$SHAKEDOWN" run -r "$L/guard" "$SCN/ai-guard.yaml" >"$L/guard.out" 2>&1; eq "ai-guard PASSes on the good target" 0 $?
contains "guard table: 1 accepted, 4 rejected per user" "| 7 | 5 | 1 | 4 | 0 |" "$(cat "$L/guard/REPORT.md")"
contains "the burst was concurrent by construction" "none answered early" "$(cat "$L/guard/REPORT.md")"
sbx up --bug no_guard --ai-latency 1s
"$SHAKEDOWN" run -r "$L/noguard" "$SCN/ai-guard.yaml" >"$L/noguard.out" 2>&1; eq "ai-guard FAILs with exit 1 on --bug no_guard" 1 $?
contains "no_guard: the failed expectation is named" "accepted per user = 1" "$(grep FAIL "$L/noguard/REPORT.md")"
contains "no_guard: junit has it" '<failure message="expected accepted per user = 1' "$(cat "$L/noguard/junit.xml")"

# the high-load drill: PASS on the good target, FAIL on --bug leak (the C
# target has no warm-up: a short one and a short window; the Node service in
# t_82 runs the defaults)
sbx up --no-bugs
short="WARMUP=2s WINDOW=6s"
env $short "$SHAKEDOWN" run -r "$L/hl" "$SCN/health-load.yaml" >"$L/hl.out" 2>&1; eq "health-load PASSes on the good target" 0 $?
contains "load table in the report" "## Load: clients" "$(cat "$L/hl/REPORT.md")"
contains "the report says what the leak check measured" "MiB per 1000 requests" "$(cat "$L/hl/REPORT.md")"
sbx up --bug leak
env $short "$SHAKEDOWN" run -r "$L/leak" "$SCN/health-load.yaml" >"$L/leak.out" 2>&1; eq "health-load FAILs with exit 1 on --bug leak" 1 $?
contains "leak: the RSS trend expectation failed" "RSS trend < 4.00 MiB per 1000 requests over 6.00s" "$(grep FAIL "$L/leak/REPORT.md")"

# load per phase: a Redis outage under load, 5xx share bounded in every phase
sbx up --no-bugs
cat >"$L/phases.yaml" <<YAML
drill: phases
target: $TARGET
services:
  cache: { kind: redis, url: "$REDIS_URL", stop: [shakedown, sandbox, stop, redis], start: [shakedown, sandbox, start, redis] }
probes:
  health: { get: /health }
load:
  browse: { get: /health, connections: 10, rate: 100/s }
steps:
  - wait: 1s
  - stop: cache
  - wait: 2s
  - start: cache
  - wait: 1s
  - expect: { load: browse, phase: before, errors: "< 1%", requests: ">= 50" }
  - expect: { load: browse, phase: fault, errors: "< 1%", p99: "< 1500ms", requests: ">= 150" }
  - expect: { load: browse, phase: after, errors: "< 1%", requests: ">= 50" }
YAML
"$SHAKEDOWN" run -r "$L/phases" "$L/phases.yaml" >"$L/phases.out" 2>&1; eq "load per phase through a Redis outage passes" 0 $?
eq "the report has a row per phase" 4 "$(grep -cE '^\| (before|fault|after|all) \|' "$L/phases/REPORT.md")"
unset SHAKEDOWN_TARGET
# blast radius covers load generators and bursts too
cat >"$L/remote-load.yaml" <<YAML
drill: remote-load
load:
  far: { get: "http://198.51.100.7/", connections: 1 }
steps:
  - wait: 1s
YAML
out=$("$SHAKEDOWN" run "$L/remote-load.yaml" 2>&1); rc=$?
eq "a non-loopback load is refused with exit 2" 2 "$rc"
contains "the refusal names the load and host" "load 'far' goes to '198.51.100.7'" "$out"

# a generator over a window of steps: only while Redis is away
cat >"$L/window.yaml" <<YAML
drill: window
target: $TARGET
services:
  cache: { kind: redis, url: "$REDIS_URL", stop: [shakedown, sandbox, stop, redis], start: [shakedown, sandbox, start, redis] }
load:
  during: { get: /health, connections: 10, rate: 100/s, from_step: 2, to_step: 3 }
steps:
  - wait: 1s
  - stop: cache
  - wait: 2s
  - start: cache
  - wait: 1s
  - expect: { load: during, phase: fault, requests: ">= 150", errors: "< 1%" }
  - expect: { load: during, requests: "<= 260" }
YAML
"$SHAKEDOWN" run -r "$L/window" "$L/window.yaml" >"$L/window.out" 2>&1; eq "a load over a window of steps runs only in it" 0 $?
