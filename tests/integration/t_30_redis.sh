# Redis outage: degraded health, readiness unchanged, sessions fall back to memory.
ok "redis stop" sbx stop redis
ok "redis process really gone" bash -c "! redis-cli -p $REDIS_PORT PING"
t=$(wait_for 2 health_is "$TARGET" degraded); eq "/health degraded within 2s (${t}ms)" 0 $?
eq "/health checks.redis.ok false" false "$(body "$TARGET/health" | jfield checks.redis.ok)"
eq "/api/ready stays 200 on Redis outage" 200 "$(code "$TARGET/api/ready")"
l=$(curl -s -m 5 -XPOST -d '{"user":"alice"}' "$TARGET/api/login")
eq "login answers with the memory store" memory "$(jfield store <<<"$l")"
tok=$(jfield token <<<"$l")
eq "memory session is readable" alice "$(curl -s -H "Authorization: Bearer $tok" "$TARGET/api/session" | jfield user)"
ok "redis start" sbx start redis
t=$(wait_for 5 health_is "$TARGET" ok); eq "/health ok again after Redis returns (${t}ms)" 0 $?
l=$(curl -s -m 5 -XPOST -d '{"user":"bob"}' "$TARGET/api/login")
eq "login uses Redis again" redis "$(jfield store <<<"$l")"
eq "redis session is readable" bob "$(curl -s -H "Authorization: Bearer $(jfield token <<<"$l")" "$TARGET/api/session" | jfield user)"
# Redis paused: health must answer within 1.5 s, degraded
redis-cli -p "$REDIS_PORT" CLIENT PAUSE 5000 >/dev/null
t=$(curl -s -o "$WORK/paused.json" -m 5 -w '%{time_total}' "$TARGET/health")
le "/health answers within 1.5s under CLIENT PAUSE (${t}s)" "$t" 1.5
eq "/health degraded under CLIENT PAUSE" degraded "$(jfield status <"$WORK/paused.json")"
# many concurrent health checks under pause do not queue behind each other
start=$(now_ms)
for i in $(seq 20); do spawn curl -s -o /dev/null -m 5 "$TARGET/health"; done; join
le "20 concurrent /health under pause all answer within 2.5s" $(( $(now_ms) - start )) 2500
redis-cli -p "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1
t=$(wait_for 6 health_is "$TARGET" ok); eq "/health ok after unpause (${t}ms)" 0 $?
