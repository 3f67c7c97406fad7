# Each --bug flips exactly its behaviour: normal with everything up, broken
# only where it should be.
BPORT=$((BASE + 110))
bug_target() {	# bug_target NAME [ARGS]: sets BT (URL) and TPID
	BPORT=$((BPORT + 1)); start_target "$BPORT" --bug "$@"; BT=http://127.0.0.1:$BPORT
	eq "bug $1: /health ok with everything up" ok "$(body "$BT/health" | jfield status)"
	eq "bug $1: /api/ready 200 with everything up" 200 "$(code "$BT/api/ready")"
}

bug_target ready_ignores_db; p=$TPID
sbx stop postgres
sleep 0.3
eq "ready_ignores_db: ready stays 200 with the DB down" 200 "$(code "$BT/api/ready")"
eq "ready_ignores_db: health still degraded" degraded "$(body "$BT/health" | jfield status)"
sbx start postgres; stop_target "$p"

bug_target health_hides_redis; p=$TPID
sbx stop redis
sleep 0.3
eq "health_hides_redis: health says ok with Redis down" ok "$(body "$BT/health" | jfield status)"
eq "health_hides_redis: login still falls back to memory" memory "$(curl -s -XPOST -d '{"user":"x"}' "$BT/api/login" | jfield store)"
sbx start redis; stop_target "$p"

bug_target no_guard --ai-latency 1s; p=$TPID
for i in 1 2 3; do spawn curl -s -o /dev/null -w '%{http_code}\n' -XPOST -H 'Authorization: Bearer same' "$BT/api/bazi/ai-interpret" >>"$WORK/noguard.txt"; done; join
eq "no_guard: 3 concurrent requests of one user all accepted" 3 "$(grep -c '^200$' "$WORK/noguard.txt")"
stop_target "$p"

bug_target slow_recovery; p=$TPID
sbx stop postgres
wait_for 3 code_is "$BT/api/ready" 503 >/dev/null
sbx start postgres
back=$(now_ms)
sleep 1
eq "slow_recovery: still 503 one second after the DB is back" 503 "$(code "$BT/api/ready")"
wait_for 12 code_is "$BT/api/ready" 200 >/dev/null
t=$(( $(now_ms) - back ))
ge "slow_recovery: ready only after ~8s (${t}ms)" "$t" 7500
stop_target "$p"

bug_target leak; p=$TPID
r0=$(awk '/VmRSS/{print $2}' /proc/$p/status)
for i in $(seq 10); do spawn curl -s -o /dev/null "$BT/health?[1-20]"; done; join
r1=$(awk '/VmRSS/{print $2}' /proc/$p/status)
leak_growth=$((r1 - r0))
ge "leak: 200 /health grow RSS by >= 10 MiB ($leak_growth KiB)" $leak_growth 10240
stop_target "$p"
# the good target does not grow that way
start_target $((BPORT + 50)); p=$TPID
r0=$(awk '/VmRSS/{print $2}' /proc/$p/status)
for i in $(seq 10); do spawn curl -s -o /dev/null "http://127.0.0.1:$((BPORT + 50))/health?[1-20]"; done; join
r1=$(awk '/VmRSS/{print $2}' /proc/$p/status)
# relative, not absolute: sanitizer builds grow RSS on their own (quarantine)
le "good target grows under a third of the leaking one ($((r1 - r0)) vs $leak_growth KiB)" $(( (r1 - r0) * 3 )) $leak_growth
stop_target "$p"

bug_target crash_on_db_loss; p=$TPID
sbx stop postgres
code "$BT/api/ready" >/dev/null
sleep 0.3
ok "crash_on_db_loss: process exits when the DB goes away" bash -c "! kill -0 $p 2>/dev/null || grep -q ') Z' /proc/$p/stat"
wait "$p" 2>/dev/null
sbx start postgres

bug_target no_graceful --ai-latency 2s; p=$TPID
for i in 1 2 3; do spawn curl -s -o /dev/null -m 5 -w '%{http_code}\n' -XPOST -H "Authorization: Bearer ng-$i" "$BT/api/tarot/ai-interpret" >>"$WORK/nograce.txt"; done
sleep 0.5; kill -TERM "$p"; wait "$p" 2>/dev/null; join
eq "no_graceful: in-flight requests are dropped" 0 "$(grep -c '^200$' "$WORK/nograce.txt")"
