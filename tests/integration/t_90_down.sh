# `sandbox down` leaves no process behind.
pids="$(cat "$SBX"/*.pid 2>/dev/null | tr '\n' ' ')"
ok "sandbox down" sbx down
sleep 0.2
left=""; for p in $pids; do alive "$p" && left="$left $p"; done
eq "no sandbox process left after down" "" "$left"
ok "no postgres on the suite's port" bash -c "! pgrep -f '[p]ostgres -D .* -p $PG_PORT'"
ok "no redis on the suite's port" bash -c "! pgrep -f '[r]edis-server .*:$REDIS_PORT'"
eq "status after down exits 1" 1 "$("$SHAKEDOWN" sandbox --dir "$SBX" status >/dev/null; echo $?)"
