# The sandbox is up, every part answers, `up` twice is harmless.
out=$("$SHAKEDOWN" sandbox --dir "$SBX" status); rc=$?
eq "sandbox status exits 0 when all answer" 0 "$rc"
eq "status shows four answering parts" 4 "$(grep -c answering <<<"$out")"
out=$("$SHAKEDOWN" sandbox --dir "$SBX" up 2>&1); rc=$?
eq "up twice exits 0" 0 "$rc"
eq "up twice starts nothing new" 4 "$(grep -c 'already running' <<<"$out")"
SHAKEDOWN_SANDBOX=$SBX "$SHAKEDOWN" sandbox status >/dev/null; eq "SHAKEDOWN_SANDBOX finds the same sandbox" 0 $?
h=$(body "$TARGET/health")
eq "/health ok" ok "$(jfield status <<<"$h")"
eq "/health checks.db.ok" true "$(jfield checks.db.ok <<<"$h")"
eq "/health checks.redis.ok" true "$(jfield checks.redis.ok <<<"$h")"
eq "/health checks.db.status" ok "$(jfield checks.db.status <<<"$h")"
cmdline=$(tr '\0' ' ' </proc/$(cat "$SBX/target.pid")/cmdline)
contains "the target reaches PostgreSQL through the sandbox's proxy" "127.0.0.1:$PROXY_PORT/postgres" "$cmdline"
contains "and Redis through it too" "redis://127.0.0.1:$((PROXY_PORT + 1))" "$cmdline"
contains "env names the routes" "DB_ROUTE=$SBX/proxy.sock#postgres" "$("$SHAKEDOWN" sandbox --dir "$SBX" env)"
ok "/health has uptime" jfield uptime <<<"$h"
eq "/health service" shakedown-target "$(jfield service <<<"$h")"
eq "/api/ready 200" 200 "$(code "$TARGET/api/ready")"
eq "/api/ready says ready" ready "$(body "$TARGET/api/ready" | jfield status)"
contains "/api/records lists rows" '"name":"record-1"' "$(body "$TARGET/api/records")"
m=$(body "$TARGET/metrics")
contains "/metrics counts requests by route and status" 'shakedown_target_requests_total{route="/health",status="200"}' "$m"
contains "/metrics has db_up" "shakedown_target_db_up 1" "$m"
# rate limiter: 20 per 10 s per client, then 429 with Retry-After
codes=$(for i in $(seq 22); do code -H "X-Client-Id: it-$$" "$TARGET/api/limited"; echo; done | sort | uniq -c | tr -s ' ')
contains "rate limit lets 20 through" "20 200" "$codes"
contains "rate limit rejects the rest with 429" "2 429" "$codes"
contains "429 carries Retry-After" "Retry-After:" "$(curl -si -H "X-Client-Id: it-$$" "$TARGET/api/limited")"
# stale pid: a part killed with -9 shows as stopped and `up` brings it back
rpid=$(cat "$SBX/redis.pid"); kill -9 "$rpid"; sleep 0.2
out=$("$SHAKEDOWN" sandbox --dir "$SBX" status); rc=$?
eq "status exits 1 when a part is down" 1 "$rc"
contains "status shows redis stopped" "redis        stopped" "$out"
ok "up restarts the killed part" sbx up
eq "redis back after up" ok "$(body "$TARGET/health" | jfield status)"
# a second sandbox on the same ports refuses instead of taking another's answer
out=$("$SHAKEDOWN" sandbox --dir "$WORK/other" --pg-port "$PG_PORT" --redis-port $((BASE + 900)) --target-port $((BASE + 901)) up 2>&1); rc=$?
eq "up on a busy port exits 1" 1 "$rc"
contains "up on a busy port says so" "port $PG_PORT on 127.0.0.1 is already in use" "$out"
ok "the failed up left nothing running" bash -c "! pgrep -f '[r]edis-server .*:$((BASE + 900))'"
# up with other target switches restarts the target with them; --no-bugs clears
sbx up --bug leak
contains "up --bug restarts the target with the bug" "--bug leak" "$(tr '\0' ' ' </proc/$(cat "$SBX/target.pid")/cmdline)"
sbx up --no-bugs
eq "up --no-bugs restarts it without" "" "$(tr '\0' ' ' </proc/$(cat "$SBX/target.pid")/cmdline | grep -o -- '--bug')"
# a start cut short between the spawn and its pidfile (a drill's start
# command dies with its runner): no server is left that no pidfile names.
# strace holds the pidfile's rename 3 s; the start is killed inside it.
sbx stop target
strace -qq -o /dev/null -e trace=rename -e inject=rename:delay_enter=3s \
	"$SHAKEDOWN" -q sandbox --dir "$SBX" start target >/dev/null 2>&1 & sp=$!
for i in $(seq 50); do tp=$(pgrep -P "$sp"); [ -n "$tp" ] && break; sleep 0.05; done
sleep 1; kill -KILL "$tp" 2>/dev/null; wait "$sp" 2>/dev/null
sleep 0.5
eq "a start killed before its pidfile: nothing answers on the target's port" 000 "$(code "$TARGET/health")"
eq "... no target process left" "" "$(pgrep -f "[s]hakedown target --port $TARGET_PORT" | tr '\n' ' ')"
ok "... and the next start is not told the port is another's" sbx start target
ok "... its pidfile names the one that answers" bash -c "kill -0 \$(cat '$SBX/target.pid') && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$TARGET/health')\" = 200 ]"
