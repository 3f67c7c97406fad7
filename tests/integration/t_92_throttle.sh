# The cpu-throttle drill (seed 003 experiment 3): the target limited to half
# a CPU under load above what it can then serve. PASS on the reference
# target (its rate limiter answers the excess 429 with Retry-After, accepted
# requests stay fast), FAIL on --bug no_rate_limit (everything accepted, the
# queue grows); the same on the Node service (rate-limiter-flexible), FAIL
# there with NO_RATE_LIMIT=1; no cgroup of shakedown's left after any.
# SD_DRILL_REPEAT=N runs each verdict N times.
CT=$WORK/throttle; mkdir -p "$CT"
DRILL=$here/../../scenarios/cpu-throttle.yaml
our_cpu_cgroups() { ls -d /sys/fs/cgroup/*/shakedown-cpu-* /sys/fs/cgroup/shakedown-cpu-* 2>/dev/null; }

ok "validate cpu-throttle.yaml" "$SHAKEDOWN" validate "$DRILL"
contains "plan: the target is throttled with its children" "and its children to 50% of one CPU" "$("$SHAKEDOWN" plan "$DRILL")"
if [ "$(id -u)" != 0 ] || { [ ! -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && ! grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; }; then
	echo "  skip  cpu-throttle: needs root and a cgroup cpu controller"
	return 0 2>/dev/null || exit 0
fi

sbx up --no-bugs
# the limiter itself, before any drill: 100 per client in its 10 s window,
# then 429
out=$(curl -s -D- -o /dev/null -H 'X-Client-Id: t92' "$TARGET/api/compute?n=[1-150]")
eq "the reference target's limiter: 100 answered 200 within its window" 100 "$(grep -c '^HTTP/1.1 200' <<<"$out")"
ge "and 429 past them" "$(grep -c '^HTTP/1.1 429' <<<"$out")" 1
eq "every 429 carries Retry-After (at most the 10 s window)" "$(grep -c '^HTTP/1.1 429' <<<"$out")" "$(grep -ciE '^Retry-After: ([1-9]|10)'$'\r''?$' <<<"$out")"

repeat_drill 0 "$CT/good"
eq "cpu-throttle PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
r=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["loads"][0]["phases"]["fault"]
print(p["status"]["429"], p["retry_after"], p["latency_ms"]["accepted_p95"])' "$CT/good1/result.json")
echo "        throttled: 429s, with Retry-After, accepted p95 ms: $r"
eq "no cgroup of shakedown's left" "" "$(our_cpu_cgroups)"
sbx up --bug no_rate_limit
repeat_drill 1 "$CT/bug"
eq "cpu-throttle FAILs (exit 1) on --bug no_rate_limit ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and says no 429 came back" "429 0.0% (0)" "$(cat "$CT/bug1.out")"
eq "no cgroup of shakedown's left after a FAIL" "" "$(our_cpu_cgroups)"
sbx up --no-bugs

NPORT=$((BASE + 90))
N=$WORK/node-throttle; mkdir -p "$N"
start_nodeapp "$N"
repeat_drill 0 "$N/good" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid"
eq "cpu-throttle PASSes on the Node service ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
start_nodeapp "$N" NO_RATE_LIMIT=1
repeat_drill 1 "$N/bug" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid"
eq "cpu-throttle FAILs on the Node service without its rate limiter ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
eq "no cgroup of shakedown's left after the Node runs" "" "$(our_cpu_cgroups)"
