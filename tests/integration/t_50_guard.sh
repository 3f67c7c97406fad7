# The per-user AI guard: K users x M concurrent requests, exactly one accepted each.
GPORT=$((BASE + 101))
start_target "$GPORT" --ai-latency 2s
gpid=$TPID
out=$WORK/guard.txt; : >"$out"
for u in $(seq 10); do
	for i in $(seq 5); do
		spawn curl -s -m 10 -o "$WORK/guard-$u-$i.json" -w "user-$u %{http_code}\n" -XPOST \
			-H "Authorization: Bearer user-$u" "http://127.0.0.1:$GPORT/api/bazi/ai-interpret" >>"$out"
	done
done
join
eq "10 users x 5: 10 accepted" 10 "$(grep -c ' 200$' "$out")"
eq "10 users x 5: 40 rejected with 429" 40 "$(grep -c ' 429$' "$out")"
eq "one accepted per user" 10 "$(grep ' 200$' "$out" | cut -d' ' -f1 | sort -u | wc -l)"
eq "rejections carry the text" 40 "$(grep -l 'AI request already in progress. Please wait.' "$WORK"/guard-*.json | wc -l)"
eq "no user -> 401" 401 "$(code -XPOST "http://127.0.0.1:$GPORT/api/tarot/ai-interpret")"
eq "all three AI routes exist" "200 200 200" "$(for k in bazi tarot iching; do printf '%s ' "$(code -m 5 -XPOST -H "Authorization: Bearer solo-$k" "http://127.0.0.1:$GPORT/api/$k/ai-interpret")"; done | sed 's/ $//')"
stop_target "$gpid"
