# postgres-failover and postgres-outage on a real Patroni cluster (issues 37,
# 38): 2 nodes, etcd, HAProxy routing to the primary — Debian's patroni,
# etcd-server and haproxy (tests/integration/tools/patroni.sh) — with the
# reference target writing through HAProxy, from one profile,
# examples/patroni-haproxy.env. The drill finds the primary by role, so
# it kills the real one after a failover too, and names the primary and
# timeline before and after and the replica's lag. With the primary's WAL
# sender paused before the kill the replica lags, acknowledged writes are
# really lost, and the lost count and RPO agree with the service's own log
# of what it acknowledged — the RPO is the lost work, never the outage.
P=$WORK/patroni
PT=$((BASE + 560))
PAT="$here/tools/patroni.sh $P $BASE"
SCN=$here/../../scenarios
if ! command -v patroni >/dev/null || ! command -v etcd >/dev/null || ! command -v haproxy >/dev/null ||
	[ "$(id -u)" != 0 ]; then
	fail "patroni: needs root and Debian's patroni, etcd-server and haproxy (make deps)"
	return 0 2>/dev/null || exit 0
fi
pat_down() {
	[ -n "${PTPID:-}" ] && { kill -TERM "$PTPID" 2>/dev/null; wait "$PTPID" 2>/dev/null; }
	sh $PAT down >/dev/null 2>&1
}
CLEANUPS+=(pat_down)
ok "a 2-node Patroni cluster with etcd and HAProxy comes up" sh $PAT up
HA="postgresql://postgres@127.0.0.1:$((BASE + 550))/postgres?connect_timeout=2"
"$SHAKEDOWN" target --port "$PT" --log-writes --db "$HA" --redis "$REDIS_URL" >>"$P/target.log" 2>&1 &
PTPID=$!
echo "$PTPID" >"$WORK/patroni-target.pid"	# a folder root owns: trusted
wait_for 20 code_is "http://127.0.0.1:$PT/api/ready" 200 >/dev/null
pdrill() {	# pdrill DRILL DIR [VAR=value...]: sets RC
	local d=$1 dir=$2 a over=(); shift 2
	for a in "$@"; do over+=(--var "$a"); done
	env -u SHAKEDOWN_TARGET -u DATABASE_URL APP_URL="http://127.0.0.1:$PT" APP_PIDFILE="$WORK/patroni-target.pid" \
		PATRONI_NODES="127.0.0.1:$((BASE + 531)),127.0.0.1:$((BASE + 532))" \
		PATRONI_RESTART="sh $PAT heal" PATRONI_STOP="sh $PAT stop" PATRONI_START="sh $PAT start" \
		"$SHAKEDOWN" run -r "$dir" --prom "$dir.prom" --vars "$here/../../examples/patroni-haproxy.env" \
		"${over[@]}" "$SCN/$d.yaml" >"$dir.out" 2>&1
	RC=$?
}
fact() { grep -o "$1" "$2/REPORT.md" | head -1; }
port_of() { echo "$1" | sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p'; }

# 1. a failover, nothing lost
before=$(sh $PAT primary)
pdrill postgres-failover "$P/fo1"
eq "postgres-failover on Patroni: PASS" 0 "$RC"
[ "$RC" = 0 ] || show_out "$P/fo1.out"
contains "... the kill confirmed landed: the primary moved" "landed? confirmed: the primary moved" "$(cat "$P/fo1.out")"
contains "... it killed the primary found by role, Patroni first" "SIGKILL to patroni" "$(cat "$P/fo1/REPORT.md")"
contains "... named the primary before" "the primary was 127.0.0.1:$before" "$(cat "$P/fo1/REPORT.md")"
after1=$(port_of "$(fact 'the primary is now 127.0.0.1:[0-9]*' "$P/fo1")")
ne "... and a new primary after it (a real failover)" "$before" "$after1"
contains "... with the timeline before and after" "timeline" "$(fact 'the primary is now [^|]*' "$P/fo1")"
contains "... and the replica's lag at the kill" "bytes of WAL behind" "$(cat "$P/fo1/REPORT.md")"
wait_for 30 test "$(sh $PAT primary)" = "$after1" >/dev/null
# the old primary rejoins as a replica: until it streams, caught up, a
# second kill loses what it had not received (a real loss, not this test's)
wait_for 60 test "$(sh $PAT streaming)" = 1 >/dev/null
eq "the old primary streams again from the new one, caught up" 1 "$(sh $PAT streaming)"
# 2. after that failover: the new primary is the one killed
pdrill postgres-failover "$P/fo2"
eq "a second failover: PASS" 0 "$RC"
contains "... it killed the new primary, not the pidfile of the first" "the primary was 127.0.0.1:$after1" \
	"$(cat "$P/fo2/REPORT.md")"
after2=$(port_of "$(fact 'the primary is now 127.0.0.1:[0-9]*' "$P/fo2")")
wait_for 30 test -n "$(sh $PAT primary)" >/dev/null
wait_for 60 test "$(sh $PAT streaming)" = 1 >/dev/null

# 3. the replica lags: acknowledged writes are lost; RPO from the lost work
sh $PAT pause-sender
pdrill postgres-failover "$P/lag"
sh $PAT resume-sender 2>/dev/null
eq "the replica lagging at the kill: FAIL (acknowledged writes lost)" 1 "$RC"
python3 - "$P/lag/result.json" "$P/target.log" "postgresql://postgres@127.0.0.1:$((BASE + 531)),127.0.0.1:$((BASE + 532))/postgres?target_session_attrs=read-write" >"$P/lag.cmp" <<'PY'
import datetime, json, re, subprocess, sys
r = json.load(open(sys.argv[1]))
w = r["writes"][0]
prefix = w["key_prefix"]
acks = []
for line in open(sys.argv[2]):
    m = re.match(r"(\S+) write (\S+) acknowledged", line)
    if m and m.group(2).startswith(prefix + "-"):
        acks.append((datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp() * 1000,
                     m.group(2)))
keys = ",".join("'%s'" % k for _, k in acks)
kept = set(subprocess.run(["psql", "-X", "-At", sys.argv[3], "-c",
                           "select key from shakedown_writes where key = any(array[%s])" % keys],
                          capture_output=True, text=True).stdout.split())
lost = [t for t, k in acks if k not in kept]
rpo = lost[-1] - lost[0] if lost else 0
print(len(acks), w["acknowledged"], len(lost), w["lost"], round(rpo), w["rpo_ms"], w["rpo_resolution_ms"],
      w["rto_ms"])
PY
read -r log_acked sd_acked log_lost sd_lost log_rpo sd_rpo sd_res sd_rto <"$P/lag.cmp"
ge "... writes were really lost ($log_lost in the service's own log)" "${log_lost:-0}" 1
eq "... shakedown's lost count equals the log's" "$log_lost" "$sd_lost"
eq "... and its acknowledged count" "$log_acked" "$sd_acked"
ge "... its RPO (${sd_rpo}ms) is no shorter than the log's (${log_rpo}ms)" "${sd_rpo:-0}" "${log_rpo:-1}"
le "... and within its resolution (${sd_res}ms) of it" "$(( ${sd_rpo:-0} - ${sd_res:-0} ))" "${log_rpo:-0}"
le "... the RPO is the lost work, not the outage (${sd_rpo}ms < write outage ${sd_rto}ms)" "${sd_rpo:-0}" "$(( ${sd_rto:-0} - 1 ))"
contains "the terminal gives the lost count, RPO and write outage" "write outage (RTO):" "$(cat "$P/lag.out")"
contains "result.json's key times: the RPO" '"name": "RPO"' "$(cat "$P/lag/result.json")"
contains "the chart marks the lost writes on the writer's row" 'class="lost-writes"' "$(cat "$P/lag/timeline.svg")"
eq "the .prom file's RPO is result.json's" "$(awk "BEGIN{printf \"%.3f\", $sd_rpo/1000}")" \
	"$(sed -n 's/^shakedown_key_time_seconds{drill="postgres-failover",name="RPO"} //p' "$P/lag.prom")"
eq "... and its lost writes" "$sd_lost" \
	"$(sed -n 's/^shakedown_lost_writes{drill="postgres-failover",writer="writes"} //p' "$P/lag.prom")"
contains "REPORT.md states the same RPO" "RPO** | $(python3 -c 'import sys
v=int(sys.argv[1]); r=int(sys.argv[2])
f=lambda ms: ("%.2fs" % (ms/1000)) if ms >= 1000 else ("%dms" % ms)
a, b = f(v - r), f(v)
print(b if a == b else "between %s and %s" % (a, b))' "$sd_rpo" "$sd_res")" "$(cat "$P/lag/REPORT.md")"
wait_for 30 test -n "$(sh $PAT primary)" >/dev/null
sleep 3

# 4. the whole cluster down, from the same profile
pdrill postgres-outage "$P/outage"
eq "postgres-outage on Patroni, the same profile: PASS" 0 "$RC"
[ "$RC" = 0 ] || show_out "$P/outage.out"
eq "... its fault confirmed landed" "" "$(unconfirmed "$P/outage")"
wait_for 30 test -n "$(sh $PAT primary)" >/dev/null
sleep 2

# 5. a kill that misses the primary (issue 39): one server's DSN through
# HAProxy and POSTGRES_PIDFILE naming the replica's postmaster — easy to
# have after one failover. The replica dies, the primary never does:
# INVALID, never the PASS it was
rep=1; [ "$(sh $PAT role 1)" = t ] && rep=2
# the replica is up again (after the outage above), its pidfile current
wait_for 30 test "$(sh $PAT role $rep)" = f >/dev/null
sleep 2
pdrill postgres-failover "$P/miss" DATABASE_URL="$HA" POSTGRES_MANAGER= POSTGRES_KILL= \
	POSTGRES_PIDFILE="$P/data$rep/postmaster.pid"
eq "a kill of the replica's postmaster: INVALID (exit 8), not PASS" 8 "$RC"
[ "$RC" = 8 ] || show_out "$P/miss.out"
contains "... because the primary still answered" "still answers SELECT 1" "$(cat "$P/miss.out")"
wait_for 30 test -n "$(sh $PAT primary)" >/dev/null
pat_down
eq "nothing of the cluster is left" "" "$(pgrep -f "$P/" )"
