# Network faults (issue 11): netem's requests are tc's, byte for byte; on
# this kernel (no sch_netem) netem fails cleanly and leaves nothing; TBF
# shapes real traffic over a veth pair between two namespaces this test
# creates (10.77.0.0/24 exists only there); the fault proxy adds the latency
# asked; partition hangs connections (never refuses them); kill -9 of
# `shakedown fault` reverts within 3 s; an admin's root qdisc is never
# touched; `fault` takes the scenario's keys with argument:N:COL errors.
N=$WORK/net; mkdir -p "$N"
T=$(dirname "${BASH_SOURCE[0]}")/tools
NA=sdt$$a NB=sdt$$b
NET_PIDS=()
net_cleanup() {
	for p in "${NET_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	NET_PIDS=()
	ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null
	return 0
}
CLEANUPS+=(net_cleanup)
ip netns add "$NA"; ip netns add "$NB"
ip link add vA netns "$NA" type veth peer name vB netns "$NB"
ip -n "$NA" addr add 10.77.0.1/24 dev vA; ip -n "$NB" addr add 10.77.0.2/24 dev vB
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set vA up; ip -n "$NB" link set vB up
ina() { ip netns exec "$NA" "$@"; }
inb() { ip netns exec "$NB" "$@"; }
qdiscs() { tc -n "$1" qdisc show dev "$2" | grep -Ev '^qdisc (noqueue|pfifo_fast|fq_codel|mq) ' ; }

# netem: the request shakedown builds is the one tc sends
netem_same() {	# netem_same "tc options" "yaml keys" [N: our Nth request] [tc prefix]
	ina strace -f -e trace=sendmsg -e write=all -xx tc qdisc add dev lo \
	    ${4:-root handle 1:} netem $1 >"$N/tc.txt" 2>&1
	local scope='scope: device, '	# all of lo, said on purpose
	[[ $2 == *port:* ]] && scope=
	printf 'drill: x\nsteps:\n  - netem: { dev: lo, %s%s }\n' "$scope" "$2" \
	    >"$N/s.yaml"
	ina "$SHAKEDOWN" plan --raw "$N/s.yaml" >"$N/ours.txt"
	eq "netem '$1': shakedown's request is tc's, byte for byte" identical \
	    "$(python3 "$T/nlcmp.py" "$N/tc.txt" "$N/ours.txt" ${3:-} | cut -d: -f1)"
}
netem_same "delay 200ms" "delay: 200ms"
netem_same "delay 100ms 10ms 25% loss 1%" "delay: 100ms, jitter: 10ms, correlation: 25%, loss: 1%"
netem_same "loss 5% 25%" "loss: 5%, loss_correlation: 25%"
netem_same "delay 50ms reorder 25% 50% gap 5" "delay: 50ms, reorder: 25%, reorder_correlation: 50%, gap: 5"
netem_same "delay 10ms duplicate 2% 10% corrupt 1% 5%" "delay: 10ms, duplicate: 2%, duplicate_correlation: 10%, corrupt: 1%, corrupt_correlation: 5%"
netem_same "delay 10ms rate 1mbit" "delay: 10ms, rate: 1mbit"
netem_same "limit 500 delay 10ms rate 40gbit" "limit: 500, delay: 10ms, rate: 40gbit"
netem_same "delay 200ms" "delay: 200ms, port: 5432" 3 "parent 1:1 handle 10:"
ok "tc sent its requests (strace saw them)" grep -q "bytes in buffer" "$N/tc.txt"

# netem on this kernel: exit 4, says so, names the proxy, leaves nothing
for scope in "scope=device" "port=8000"; do
	ina "$SHAKEDOWN" fault netem dev=vA delay=200ms $scope --for 1s >"$N/ne.out" 2>&1; rc=$?
	eq "netem ${scope:-unscoped}: exit 4 on a kernel without sch_netem" 4 "$rc"
	contains "netem ${scope:-unscoped}: the message says so" "netem is not available in this kernel" "$(cat "$N/ne.out")"
	contains "netem ${scope:-unscoped}: and names the proxy fault" "proxy fault adds latency" "$(cat "$N/ne.out")"
	eq "netem ${scope:-unscoped}: nothing left on the device" "" "$(qdiscs "$NA" vA)"
done

# bandwidth: TBF at 8 Mbit/s on vA, only for TCP to port 8000; real bulk
# traffic into the other namespace: within ±15 %; port 8001 untouched
# (in the background: ip netns exec itself, never a function — a subshell
# would take the signals meant for shakedown)
ip netns exec "$NB" python3 "$T/tput.py" recv 10.77.0.2 8000 >"$N/shaped" 2>&1 & NET_PIDS+=($!)
ip netns exec "$NB" python3 "$T/tput.py" recv 10.77.0.2 8001 >"$N/free" 2>&1 & NET_PIDS+=($!)
ip netns exec "$NA" "$SHAKEDOWN" fault bandwidth dev=vA rate=8mbit port=8000 --for 12s >"$N/bw.out" 2>&1 & bw=$!
wait_for 10 bash -c "tc -n $NA qdisc show dev vA | grep -q tbf" >/dev/null
sleep 0.3
ina python3 "$T/tput.py" send 10.77.0.2 8000 3
ina python3 "$T/tput.py" send 10.77.0.2 8001 1
wait "${NET_PIDS[@]}" 2>/dev/null; NET_PIDS=()
shaped=$(cat "$N/shaped") free=$(cat "$N/free")
echo "        TBF 8 Mbit/s: measured ${shaped} bit/s to port 8000, ${free} bit/s to 8001"
ge "bandwidth: at least 85% of 8 Mbit/s" "${shaped:-0}" 6800000
le "bandwidth: at most 115% of 8 Mbit/s" "${shaped:-0}" 9200000
ge "bandwidth: traffic to another port is not shaped (> 5x)" "${free:-0}" 40000000
sleep 0.5; kill -INT "$bw"; wait "$bw"; rc=$?
eq "bandwidth: Ctrl-C reverts it, exit 0" 0 "$rc"
eq "bandwidth: nothing left on the device" "" "$(qdiscs "$NA" vA)"

# an admin's root qdisc is never replaced
tc -n "$NA" qdisc add dev vA root handle 5: tbf rate 10mbit burst 10kb latency 50ms
ina "$SHAKEDOWN" fault bandwidth dev=vA rate=1mbit scope=device --for 1s >"$N/admin.out" 2>&1; rc=$?
eq "an admin's root qdisc: refused, exit 4" 4 "$rc"
contains "an admin's root qdisc: the reason" "already has a root qdisc (tbf 5:)" "$(cat "$N/admin.out")"
contains "an admin's root qdisc: still there" "tbf 5:" "$(qdiscs "$NA" vA)"
tc -n "$NA" qdisc del dev vA root

# kill -9 of `shakedown fault` (tc): the guardian reverts within 3 s
ip netns exec "$NA" "$SHAKEDOWN" fault bandwidth dev=vA rate=1mbit port=8000 >"$N/k.out" 2>&1 & kf=$!
wait_for 10 bash -c "tc -n $NA qdisc show dev vA | grep -q tbf" >/dev/null
kill -KILL "$kf"; wait "$kf" 2>/dev/null; t0=$(now_ms)
wait_for 10 bash -c "! tc -n $NA qdisc show dev vA | grep -q tbf" >/dev/null
took=$(( $(now_ms) - t0 ))
le "kill -9 of fault bandwidth: reverted by the guardian in ${took}ms" "$took" 3000

# partition through tc: connections hang (curl times out), never refused
ip netns exec "$NB" python3 -m http.server 8002 --bind 10.77.0.2 >/dev/null 2>&1 & NET_PIDS+=($!)
wait_for 10 ina curl -s -o /dev/null -m 1 http://10.77.0.2:8002/ >/dev/null
ip netns exec "$NA" "$SHAKEDOWN" fault partition dev=vA port=8002 --for 3s >"$N/pt.out" 2>&1 & pt=$!
wait_for 10 bash -c "tc -n $NA qdisc show dev vA | grep -q 'pfifo 10:'" >/dev/null
ina curl -s -o /dev/null -m 1 http://10.77.0.2:8002/; rc=$?
eq "partition (tc): a connection hangs (curl timeout 28, not refused 7)" 28 "$rc"
wait "$pt"; rc=$?
eq "partition (tc): exit 0 once reverted" 0 "$rc"
eq "partition (tc): traffic flows again" 200 "$(ina curl -s -o /dev/null -m 2 -w '%{http_code}' http://10.77.0.2:8002/)"
net_cleanup

# the proxy: latency within ±10 % of what was asked (own proxy, loopback)
PX=$((BASE + 96)) PR=$((BASE + 97))
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rtt() { for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null -m 5 -w '%{time_total}\n' "$1"; done | median; }
"$SHAKEDOWN" fault proxy listen=127.0.0.1:$PX upstream=127.0.0.1:$TARGET_PORT latency=200ms --for 8s >"$N/px.out" 2>&1 & pf=$!
wait_for 10 code_is "http://127.0.0.1:$PX/health" 200 >/dev/null
direct=$(rtt "$TARGET/health") through=$(rtt "http://127.0.0.1:$PX/health")
added=$(awk -v a="$through" -v b="$direct" 'BEGIN{printf "%d", (a-b)*1000}')
echo "        proxy latency 200ms: added ${added}ms (median of 7: ${through}s through, ${direct}s direct)"
ge "proxy: added latency at least 180ms" "$added" 180
le "proxy: added latency at most 220ms" "$added" 220
kill -INT "$pf"; wait "$pf"; rc=$?
eq "proxy: Ctrl-C ends it, exit 0" 0 "$rc"
eq "proxy: its listener is gone" 000 "$(code "http://127.0.0.1:$PX/health")"

# a running proxy (as the sandbox runs one): toxics added and removed
"$SHAKEDOWN" proxy -c "$N/px.sock" "web=127.0.0.1:$PR,127.0.0.1:$TARGET_PORT" >"$N/daemon.out" 2>&1 & NET_PIDS+=($!)
wait_for 10 code_is "http://127.0.0.1:$PR/health" 200 >/dev/null
"$SHAKEDOWN" fault proxy "route=$N/px.sock#web" latency=300ms >"$N/r.out" 2>&1 & rf=$!
wait_for 10 bash -c "[ \$(curl -s -o /dev/null -w '%{time_total}' http://127.0.0.1:$PR/health | cut -c1) != 0 ]" >/dev/null
slow=$(curl -s -o /dev/null -m 5 -w '%{time_total}' "http://127.0.0.1:$PR/health")
ge "proxy route: the toxic is on the running route (${slow}s)" "$slow" 0.29
kill -KILL "$rf"; wait "$rf" 2>/dev/null; t0=$(now_ms)
wait_for 10 bash -c "awk -v t=\$(curl -s -o /dev/null -m 5 -w '%{time_total}' http://127.0.0.1:$PR/health) 'BEGIN{exit !(t < 0.1)}'" >/dev/null
took=$(( $(now_ms) - t0 ))
le "kill -9 of fault proxy: the guardian removed the toxic in ${took}ms" "$took" 3000
wait_for 10 bash -c "\"$SHAKEDOWN\" status | grep -q ' 0 fault(s) still applied'" >/dev/null
contains "kill -9 of fault proxy: nothing open in the journal" " 0 fault(s) still applied" "$("$SHAKEDOWN" status)"

# partition through the proxy: hangs, then flows again
"$SHAKEDOWN" fault partition "route=$N/px.sock#web" --for 3s >"$N/pp.out" 2>&1 & pp=$!
sleep 0.5
curl -s -o /dev/null -m 1 "http://127.0.0.1:$PR/health"; rc=$?
eq "partition (proxy): a request hangs (curl timeout 28)" 28 "$rc"
wait "$pp"; rc=$?
eq "partition (proxy): exit 0 once reverted" 0 "$rc"
eq "partition (proxy): requests pass again" 200 "$(code "http://127.0.0.1:$PR/health")"
net_cleanup

# `fault`: the scenario's keys, errors at argument:N:COL, exit 2, --list
"$SHAKEDOWN" fault netem dev=lo delay=abc >"$N/e1.out" 2>&1; rc=$?
eq "fault: a bad value: exit 2" 2 "$rc"
contains "fault: a bad value: argument:N:COL" "argument:3:7: delay: bad duration 'abc'" "$(cat "$N/e1.out")"
"$SHAKEDOWN" fault netem dev=lo jiter=1ms delay=1ms >"$N/e2.out" 2>&1
contains "fault: an unknown key: did you mean" "argument:3:1: unknown key 'jiter' in a netem step (did you mean 'jitter'?)" "$(cat "$N/e2.out")"
"$SHAKEDOWN" fault --for 1s stop >"$N/e3.out" 2>&1; rc=$?
eq "fault: a service fault without its service: exit 2" 2 "$rc"
contains "fault: and says which keys" "this fault acts on a service" "$(cat "$N/e3.out")"
out=$("$SHAKEDOWN" fault --list)
for k in redis postgres service netem bandwidth proxy partition; do
	contains "fault --list: kind $k" "$k — " "$out"
done
out=$("$SHAKEDOWN" fault -n bandwidth dev=lo rate=1mbit port=5432)
contains "fault -n: prints the plan" "tbf rate" "$out"
eq "fault -n: applies nothing" "" "$(tc qdisc show dev lo | grep -E 'htb|tbf')"
