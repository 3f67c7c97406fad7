# The kill test: SIGKILL, SIGTERM and SIGINT at seeded random moments over
# whole runs of every shipped drill — the first second included, when a stop
# command is still taking a service down — and after each, within a few
# seconds, nothing is left: every service answers, nothing is stopped or
# held, the journal is closed, no runner or guardian lingers. SD_KILL_TRIALS
# sets the number of random trials (make test: a sample; make chaos: 240);
# ten more always aim at postgres-outage's stop window (0.30-0.35 s); and
# one of each signal lands inside each resource drill's fault (a cgroup
# quota, a memory hog, a SIGTERMed target), where a cgroup, a hog or a
# stopped process is what could be left.
sbx up --no-bugs
K=$WORK/kill; mkdir -p "$K"
RANDOM=20261123
SCN=$here/../../scenarios
JOURNAL=$SHAKEDOWN_STATE_DIR/journal.jsonl
export SHAKEDOWN_TARGET=$TARGET REDIS_URL DATABASE_URL=$DB_URL \
	TARGET_PIDFILE=$SBX/target.pid \
	TARGET_START="$SHAKEDOWN sandbox --dir $SBX start target"
drills=(redis-outage postgres-outage ai-guard health-load)
# how long each runs on the good target (ms), to spread the moments over it
declare -A span=([redis-outage]=7000 [postgres-outage]=9000 [ai-guard]=2500 [health-load]=40000)

nothing_left() {
	[ "$(redis-cli -p "$REDIS_PORT" PING 2>/dev/null)" = PONG ] &&
	psql "$DB_URL" -Atc 'select 1' >/dev/null 2>&1 &&
	! grep -q ') T' "/proc/$(cat "$SBX/target.pid")/stat" 2>/dev/null &&
	[ "$(code "$TARGET/health")" = 200 ] && [ "$(code "$TARGET/api/ready")" = 200 ] &&
	[ "$(psql "$DB_URL" -Atc "select count(*) from pg_stat_activity where application_name LIKE 'shakedown-hold%'")" = 0 ] &&
	"$SHAKEDOWN" -q status >/dev/null 2>&1 &&
	! pgrep -f "shakedown run $SCN/" >/dev/null &&
	! pgrep '^sd(lim|burn)' >/dev/null &&
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'shakedown-[cm][pe][um]-*' 2>/dev/null)" ] &&
	! pgrep -f "[s]hakedown guardian --journal $JOURNAL" >/dev/null
}

trials=0 clean=0 bad=""
trial() {	# trial DRILL SIGNAL DELAY-MS
	local d=$1 sig=$2 ms=$3 rp t
	trials=$((trials + 1))
	"$SHAKEDOWN" run "$SCN/$d.yaml" >"$K/$d.$trials.out" 2>&1 &
	rp=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -"$sig" "$rp" 2>/dev/null; wait "$rp" 2>/dev/null
	if t=$(wait_for 5 nothing_left); then
		clean=$((clean + 1))
	else
		bad="$bad $d/$sig@${ms}ms"
		wait_for 60 nothing_left >/dev/null || "$SHAKEDOWN" -q recover --force >/dev/null 2>&1
		wait_for 30 nothing_left >/dev/null
	fi
}

wait_for 30 nothing_left >/dev/null
n=${SD_KILL_TRIALS:-5}	# make chaos: 240
for i in $(seq "$n"); do
	d=${drills[$((RANDOM % ${#drills[@]}))]}
	r=$((RANDOM % 10))
	sig=$([ $r -lt 6 ] && echo KILL || { [ $r -lt 8 ] && echo TERM || echo INT; })
	# half of them in the first 1.2 s, the rest anywhere in the run
	if [ $((RANDOM % 2)) = 0 ]; then ms=$((RANDOM % 1200)); else ms=$(( (RANDOM * 32768 + RANDOM) % ${span[$d]} )); fi
	trial "$d" "$sig" "$ms"
done
for i in $(seq 10); do
	trial postgres-outage KILL $((300 + RANDOM % 51))
done
# inside the fault: cpu-throttle's from 2 s, memory-pressure's ramp from
# 0.3 s, graceful-shutdown's SIGTERM from about 1 s
if [ "$(id -u)" = 0 ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] || grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
	for sig in KILL TERM INT; do
		trial cpu-throttle "$sig" $((2500 + RANDOM % 4000))
		trial memory-pressure "$sig" $((400 + RANDOM % 3000))
		trial graceful-shutdown "$sig" $((1000 + RANDOM % 1500))
	done
fi
eq "kill trials: nothing left within 5s in all $trials (failed:${bad:- none})" "$trials" "$clean"

# shakedown halt at random moments of every shipped drill (the fault
# windows included): the run ends ABORTED (exit 5) and within 3 s of the
# halt nothing is left applied. SD_HALT_TRIALS more at random (make chaos).
htrials=0 hclean=0 hbad="" hworst=0
halt_trial() {	# halt_trial DRILL DELAY-MS
	local d=$1 ms=$2 rp rc t0 t
	htrials=$((htrials + 1))
	"$SHAKEDOWN" run "$SCN/$d.yaml" >"$K/halt-$d.$htrials.out" 2>&1 &
	rp=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	t0=$(now_ms)
	"$SHAKEDOWN" halt >>"$K/halt.out" 2>&1
	if t=$(wait_for 3 nothing_left); then
		t=$(( $(now_ms) - t0 ))
		[ "$t" -gt "$hworst" ] && hworst=$t
	else
		t=timeout
	fi
	wait "$rp"; rc=$?
	if [ "$t" != timeout ] && [ "$rc" = 5 ]; then
		hclean=$((hclean + 1))
	else
		hbad="$hbad $d@${ms}ms(exit $rc, $t)"
		wait_for 60 nothing_left >/dev/null || "$SHAKEDOWN" -q recover --force >/dev/null 2>&1
		wait_for 30 nothing_left >/dev/null
	fi
}
cgroups=0
if [ "$(id -u)" = 0 ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] || grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
	cgroups=1
fi
# each drill once, while its fault is on: [from, to) ms after the start
# (postgres-outage's whole run takes 2.7 s: at 2756 ms it had PASSed)
declare -A hwin=([redis-outage]="300 3000" [postgres-outage]="300 2000"
	[postgres-failover]="1300 3500" [circuit-breaker]="500 3000"
	[network-latency]="500 3000" [ai-guard]="200 1200" [rate-limit]="200 1500"
	[health-load]="500 8000" [cpu-throttle]="2500 6000"
	[memory-pressure]="400 3000" [graceful-shutdown]="1000 2500")
for d in redis-outage postgres-outage postgres-failover circuit-breaker \
	network-latency ai-guard rate-limit health-load cpu-throttle \
	memory-pressure graceful-shutdown; do
	case $d in cpu-throttle|memory-pressure|graceful-shutdown)
		[ "$cgroups" = 1 ] || continue;; esac
	set -- ${hwin[$d]}
	halt_trial "$d" $(( $1 + RANDOM % ($2 - $1) ))
done
for i in $(seq "${SD_HALT_TRIALS:-2}"); do
	d=${drills[$((RANDOM % ${#drills[@]}))]}
	halt_trial "$d" $((RANDOM % 2500))
done
eq "halt trials: ABORTED and nothing left within 3s in all $htrials (worst ${hworst}ms; failed:${hbad:- none})" "$htrials" "$hclean"
ok "halt with nothing running: exit 0" "$SHAKEDOWN" -q halt
contains "halt says who reverted each fault" "by its runner" "$(cat "$K/halt.out" 2>/dev/null)"
ge "at least $((n + 10)) kill trials" "$trials" "$((n + 10))"
contains "the guardian did the reverting" "reverted:" "$(cat "$SHAKEDOWN_STATE_DIR/guardian.log" 2>/dev/null)"
unset SHAKEDOWN_TARGET DATABASE_URL TARGET_PIDFILE TARGET_START
