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
n=${SD_KILL_TRIALS:-8}	# make chaos: 240
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
ge "at least $((n + 10)) kill trials" "$trials" "$((n + 10))"
contains "the guardian did the reverting" "reverted:" "$(cat "$SHAKEDOWN_STATE_DIR/guardian.log" 2>/dev/null)"
unset SHAKEDOWN_TARGET DATABASE_URL TARGET_PIDFILE TARGET_START
