# The network-latency drill (seed 003 experiment 2) through the sandbox's
# fault proxy: PASS on the reference target, FAIL on --bug no_db_timeout;
# the same against the Node service (its database reached through the same
# proxy), PASS as it is and FAIL with NO_DB_TIMEOUT=1; the route is clean
# after every run, after a failure and after kill -9 of the runner; with
# LATENCY_FAULT=netem on this kernel (no sch_netem) a clean exit 4 and
# nothing left. SD_DRILL_REPEAT=N runs each verdict N times (default 1).
sbx up --no-bugs
L=$WORK/latency; mkdir -p "$L"
SCN=$here/../../scenarios
DRILL=$SCN/network-latency.yaml
ROUTE_SOCK=$SBX/proxy.sock
REPEAT=${SD_DRILL_REPEAT:-1}

key_ms() {	# key_ms DIR NAME: a key time's elapsed ms, from result.json
	python3 -c 'import json,sys
for k in json.load(open(sys.argv[1]))["key_times"]:
    if k["name"] == sys.argv[2]: print(k["elapsed_ms"])' "$1/result.json" "$2"
}

ok "validate network-latency.yaml" "$SHAKEDOWN" validate "$DRILL"
out=$("$SHAKEDOWN" plan "$DRILL")
contains "plan: the latency goes on the sandbox's postgres route" "on route postgres of the proxy at" "$out"
contains "plan: revert: pairs with the fault it names" "revert step 1: remove the toxics from route postgres" "$out"
out=$(LATENCY_FAULT=netem DATABASE_URL=$DB_URL "$SHAKEDOWN" plan "$DRILL")
contains "plan with LATENCY_FAULT=netem: the tc operations, port-scoped" "netem delay 200ms; tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 6 0xff match ip dport $PG_PORT 0xffff" "$out"

# the reference target: PASS, with its figures; nothing left on the route
repeat_drill 0 "$L/good"
eq "network-latency PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
r=$(cat "$L/good1/REPORT.md")
contains "the report gives the time to degrade" "time to degrade" "$r"
contains "the report gives the time to fail fast" "time to fail fast" "$r"
contains "the report gives the recovery" "recovery" "$r"
deg=$(key_ms "$L/good1" "time to degrade") ff=$(key_ms "$L/good1" "time to fail fast") rec=$(key_ms "$L/good1" "recovery")
echo "        good target: time to degrade ${deg}ms, time to fail fast ${ff}ms, recovery ${rec}ms"
le "the query timeout (1.5 s) fired: fail fast within 2.5 s" "${ff:-99999}" 2500
eq "no toxic left on the postgres route" 0 "$(toxics postgres)"

# --bug no_db_timeout: queries wait as long as the database takes → FAIL
sbx up --bug no_db_timeout
# (it only has to FAIL: a shorter wait for the fail-fast that never comes)
repeat_drill 1 "$L/bug" FAIL_FAST_WITHIN=4s
eq "network-latency FAILs (exit 1) on --bug no_db_timeout ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and names the fail-fast expectation" "failed step 7" "$(cat "$L/bug1.out")"
eq "no toxic left on the postgres route after a FAIL" 0 "$(toxics postgres)"
sbx up --no-bugs

# Ctrl-C while the latency is on: reverted, exit 3, the report written
SHAKEDOWN_TARGET=$TARGET DATABASE_URL=$DB_URL "$SHAKEDOWN" run -r "$L/ctrlc" "$DRILL" \
	>"$L/ctrlc.out" 2>&1 & rp=$!
wait_for 20 bash -c "[ \"\$(python3 '$here/tools/pxlist.py' '$ROUTE_SOCK' postgres)\" = 1 ]" >/dev/null
kill -INT "$rp"; wait "$rp"; rc=$?
eq "Ctrl-C during the drill: exit 3" 3 "$rc"
eq "Ctrl-C during the drill: no toxic left" 0 "$(toxics postgres)"
ok "Ctrl-C during the drill: the report is written" test -s "$L/ctrlc/REPORT.md"

# kill -9 of the runner while the latency is on: the guardian removes it
SHAKEDOWN_TARGET=$TARGET DATABASE_URL=$DB_URL "$SHAKEDOWN" run -r "$L/killed" "$DRILL" \
	>"$L/killed.out" 2>&1 & rp=$!
wait_for 20 bash -c "[ \"\$(python3 '$here/tools/pxlist.py' '$ROUTE_SOCK' postgres)\" = 1 ]" >/dev/null
eq "the drill's latency is on the route" 1 "$(toxics postgres)"
kill -KILL "$rp"; wait "$rp" 2>/dev/null; t0=$(now_ms)
wait_for 10 bash -c "[ \"\$(python3 '$here/tools/pxlist.py' '$ROUTE_SOCK' postgres)\" = 0 ]" >/dev/null
took=$(( $(now_ms) - t0 ))
eq "kill -9 of the runner: the toxic is gone" 0 "$(toxics postgres)"
le "kill -9 of the runner: the guardian removed it in ${took}ms" "$took" 3000
wait_for 10 bash -c "\"$SHAKEDOWN\" status | grep -q ' 0 fault(s) still applied'" >/dev/null
contains "kill -9 of the runner: nothing open in the journal" " 0 fault(s) still applied" "$("$SHAKEDOWN" status)"

# netem on a kernel without sch_netem: exit 4, says so, names the proxy
if [ "$(id -u)" = 0 ]; then
	before=$(tc qdisc show dev lo)
	ldrill "$L/netem" LATENCY_FAULT=netem
	eq "LATENCY_FAULT=netem without sch_netem: exit 4" 4 "$RC"
	contains "and says netem is not available, naming the proxy" "proxy" "$(grep -i netem "$L/netem.out")"
	eq "no qdisc left on lo" "$before" "$(tc qdisc show dev lo)"
fi

# the Node service, its database reached through the same proxy route
NPORT=$((BASE + 90))
N=$WORK/node-latency; mkdir -p "$N"
start_lnode() {	# start_lnode ENV...: through the proxy; sets NPID
	start_nodeapp "$N" DATABASE_URL="postgresql://shakedown@127.0.0.1:$PROXY_PORT/postgres" \
		REDIS_URL="redis://127.0.0.1:$((PROXY_PORT + 1))" "$@"
}
stop_lnode() { stop_nodeapp; }
start_lnode
repeat_drill 0 "$N/good" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT"
eq "network-latency PASSes on the Node service ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_lnode
start_lnode NO_DB_TIMEOUT=1
repeat_drill 1 "$N/bug" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" FAIL_FAST_WITHIN=4s
eq "network-latency FAILs on the Node service without a query timeout ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_lnode
eq "no toxic left on the postgres route after the Node runs" 0 "$(toxics postgres)"
