# The rate-limit drill (seeds 001 §3.2, 002, 004): three clients burst past
# their quota at once; each gets exactly the limit accepted and 429 with
# Retry-After for the rest; a client that sent nothing is served; the window
# resets. PASS on the reference target (which also sends draft-7 RateLimit
# headers, checked), FAIL on --bug no_rate_limit; the same on the Node
# service keyed on the address alone (so the burst's per-client source
# addresses are what tell clients apart), FAIL with NO_RATE_LIMIT=1.
# SD_DRILL_REPEAT=N runs each verdict N times.
RL=$WORK/ratelimit; mkdir -p "$RL"
DRILL=$here/../../scenarios/rate-limit.yaml

ok "validate rate-limit.yaml" "$SHAKEDOWN" validate "$DRILL"
cat >"$RL/far.yaml" <<'YAML'
drill: far
target: http://127.0.0.1:9
steps:
  - burst: { get: /, users: 2, from: "10.0.0.{user}", expect: { accepted_per_user: 1 } }
YAML
out=$("$SHAKEDOWN" validate "$RL/far.yaml" 2>&1); rc=$?
eq "a burst from a non-loopback address: exit 2" 2 "$rc"
contains "and says so at from:" "far.yaml:4:38: from: a loopback address for each user" "$out"

sbx up --no-bugs
hdr=$(curl -s -D- -o /dev/null -H 'X-Client-Id: t94' "$TARGET/api/compute")
contains "the reference target sends draft-7 RateLimit" "RateLimit: limit=100, remaining=99" "$hdr"
REPEAT_GAP=11 repeat_drill 0 "$RL/good"
eq "rate-limit PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
rep=$(cat "$RL/good1/REPORT.md")
contains "the report: 100 accepted for each of 3 clients" "100 for each of 3 users" "$rep"
contains "the report: every 429 with Retry-After (within the 10 s window)" "all 30, " "$rep"
contains "the report: the RateLimit headers agree" "RateLimit headers agree" "$rep"
contains "the report: the bystander was served" "1 for each of 1 users" "$rep"
sbx up --bug no_rate_limit
repeat_drill 1 "$RL/bug"
eq "rate-limit FAILs (exit 1) on --bug no_rate_limit ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and says every request was accepted" "accepted 110..110 per user" "$(cat "$RL/bug1.out" "$RL/bug1/REPORT.md")"
sbx up --no-bugs

NPORT=$((BASE + 90))
N=$WORK/node-ratelimit; mkdir -p "$N"
start_nodeapp "$N" RATE_LIMIT_KEY=ip RATE_LIMIT_DURATION=10
REPEAT_GAP=11 repeat_drill 0 "$N/good" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT"
eq "rate-limit PASSes on the Node service, keyed on the address ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
start_nodeapp "$N" RATE_LIMIT_KEY=ip RATE_LIMIT_DURATION=10 NO_RATE_LIMIT=1
repeat_drill 1 "$N/bug" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT"
eq "rate-limit FAILs on the Node service without its limiter ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_nodeapp
