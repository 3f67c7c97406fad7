# SIGTERM: in-flight requests finish, new ones get 503 + Connection: close, exit 0.
SPORT=$((BASE + 102))
start_target "$SPORT" --ai-latency 1500ms
spid=$TPID
: >"$WORK/inflight.txt"
for i in $(seq 20); do
	curl -s -m 10 -o /dev/null -w "%{http_code}\n" -XPOST -H "Authorization: Bearer sd-$i" \
		"http://127.0.0.1:$SPORT/api/iching/ai-interpret" >>"$WORK/inflight.txt" &
	cpids+=($!)
done
wait_for 3 bash -c "curl -s http://127.0.0.1:$SPORT/metrics | grep -q 'ai_in_flight 20'" >/dev/null
kill -TERM "$spid"
sleep 0.2
h=$(curl -si -m 3 "http://127.0.0.1:$SPORT/health")
contains "new request during drain gets 503" "503" "$(head -1 <<<"$h")"
contains "503 carries Connection: close" "Connection: close" "$h"
wait "${cpids[@]}"; unset cpids
eq "all 20 in-flight requests completed with 200" 20 "$(grep -c '^200$' "$WORK/inflight.txt")"
wait "$spid"; eq "target exits 0 after draining" 0 $?
contains "drain logged" "drained, exiting" "$(cat "$WORK/target-$SPORT.log")"
