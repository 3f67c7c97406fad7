# PostgreSQL outage: not ready, clean 503s, alive, reconnects by itself.
tpid=$(cat "$SBX/target.pid")
ok "postgres stop" sbx stop postgres
ok "postgres really gone" bash -c "! pgrep -f '[p]ostgres -D .*-p $PG_PORT' >/dev/null"
t=$(wait_for 2 code_is "$TARGET/api/ready" 503); eq "/api/ready 503 within 2s (${t}ms)" 0 $?
eq "/api/ready says not_ready" not_ready "$(body "$TARGET/api/ready" | jfield status)"
eq "/api/records 503" 503 "$(code "$TARGET/api/records")"
eq "/api/records clean error" "database unavailable" "$(body "$TARGET/api/records" | jfield error)"
eq "/health degraded (still 200)" 200 "$(code "$TARGET/health")"
eq "/health checks.db.ok false" false "$(body "$TARGET/health" | jfield checks.db.ok)"
ok "target process alive during the outage" kill -0 "$tpid"
ok "postgres start" sbx start postgres
t=$(wait_for 5 code_is "$TARGET/api/ready" 200); eq "/api/ready 200 again without restart (${t}ms)" 0 $?
eq "/api/records 200 again" 200 "$(code "$TARGET/api/records")"
eq "same target process (no restart)" "$tpid" "$(cat "$SBX/target.pid")"
# Postgres frozen (SIGSTOP): readiness answers within its 1.5 s timeout
pm=$(head -1 "$(ls -d "$SBX"/pgdata /var/tmp/shakedown-pgdata-* 2>/dev/null | head -1)/postmaster.pid")
kill -STOP "$pm"
# a fresh connection hangs in the startup handshake; pooled ones hang in the query
t=$(curl -s -o /dev/null -m 5 -w '%{time_total}' "$TARGET/api/ready")
kill -CONT "$pm"
le "/api/ready answers within 2s with Postgres stopped by SIGSTOP (${t}s)" "$t" 2.0
t=$(wait_for 5 code_is "$TARGET/api/ready" 200); eq "ready again after SIGCONT (${t}ms)" 0 $?
