# The fault proxy leaves a route as if a toxic had never been there
# (issue 25): in front of the suite's real PostgreSQL, clients that give
# up on held connections close them (a pool's connect timeout), and after
# the revert no socket of the proxy sits in CLOSE-WAIT and the proxy's
# connections to PostgreSQL are back to their count before within a second
# — for every toxic kind. Before, a hang kept both ends open until
# PostgreSQL's authentication_timeout (60 s) closed them.
P8=$WORK/proxyhang; mkdir -p "$P8"
PXP=$((BASE + 91))
"$SHAKEDOWN" proxy -c "$P8/px.sock" pg=127.0.0.1:$PXP,127.0.0.1:$PG_PORT >"$P8/px.log" 2>&1 & px8=$!
TARGET_PIDS+=("$px8")
wait_for 10 test -S "$P8/px.sock" >/dev/null
# the proxy's sockets: CLOSE-WAIT on its port, and open to PostgreSQL
closewait() { ss -Htn state close-wait "( sport = :$PXP )" | wc -l; }
upstream() { ss -Htnp state established "( dport = :$PG_PORT )" | grep -c "pid=$px8,"; }
# N clients, each sends the first bytes of a startup packet (PostgreSQL
# then waits for the rest) and gives up after HOLD seconds, closing
clients() {	# clients N HOLD
	python3 - "$PXP" "$1" "$2" <<'PY'
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x00\x00\x00\x08")
    socks.append(s)
time.sleep(hold)
for s in socks:
    s.close()
PY
}
base_up=$(upstream)
for toxic in hang=true latency=300ms bandwidth=1kbit slicer=1 limit_data=2 reset=5s slow_close=20s down=true; do
	"$SHAKEDOWN" -q fault proxy route="$P8/px.sock#pg" $toxic direction=both --for 3s >"$P8/f.out" 2>&1 & f8=$!
	wait_for 10 bash -c "[ \"\$(python3 '$here/tools/pxlist.py' '$P8/px.sock' pg)\" = 1 ]" >/dev/null
	[ "$toxic" = down=true ] || clients 20 1 2>/dev/null
	wait "$f8"; rc=$?
	eq "proxy $toxic: applied and reverted (exit 0)" 0 "$rc"
	t0=$(now_ms)
	wait_for 5 bash -c "[ \$(ss -Htn state close-wait '( sport = :$PXP )' | wc -l) = 0 ] && [ \$(ss -Htnp state established '( dport = :$PG_PORT )' | grep -c 'pid=$px8,') -le $base_up ]" >/dev/null
	took=$(( $(now_ms) - t0 ))
	eq "proxy $toxic: no socket of the proxy in CLOSE-WAIT after the revert" 0 "$(closewait)"
	le "proxy $toxic: connections to PostgreSQL back to $base_up within 1s of the revert (${took}ms)" "$took" 1000
done
# a connection that lost nothing goes on after a hang is removed: the
# route relays a real query again, and the target's pool recovers
ok "after every toxic: psql through the proxy answers" psql -X -q -t -d "postgresql://shakedown@127.0.0.1:$PXP/postgres?connect_timeout=3" -c 'SELECT 1'
kill -TERM "$px8"; wait "$px8" 2>/dev/null
