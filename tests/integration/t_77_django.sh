# Every shipped drill on a real Django stack, from Debian's packages alone
# (issue 38): django-health-check at /ht/ (one key per check, 500 when one
# fails), a readiness view of its database check, django-redis as the cache,
# django-prometheus, gunicorn with 3 sync workers — tests/djangoapp — on the
# suite's PostgreSQL (through the sandbox's proxy route) and Redis. One
# profile, examples/django-health-check.env, serves every drill; none ends
# in ERROR, and each gives the verdict this service earns: PASS where it
# behaves as the seeds say, FAIL with the reason where Django lacks the
# behaviour (a rate limiter, a breaker, the AI guard, a latency or memory
# report). Then issue 37 on the same stack: probes that never become load
# (40 ms a request: never more requests in flight than probes, the same
# verdict with fast sampling off) and a leak in a worker, which the
# master's RSS alone would never show.
DJ=$WORK/django; mkdir -p "$DJ/prom"
SCN=$here/../../scenarios
DJPORT=$((BASE + 95))
DJAPP=$here/../djangoapp
if ! /usr/bin/python3 -c 'import django, health_check, django_redis, django_prometheus' 2>/dev/null ||
	! command -v gunicorn >/dev/null; then
	fail "django stack: Debian's python3-django, python3-django-health-check, python3-django-redis, python3-django-prometheus and gunicorn (make deps)"
	return 0 2>/dev/null || exit 0
fi
sbx up --no-bugs
# its own memory cgroup (memory-pressure needs a limit of the service's own)
if [ -d /sys/fs/cgroup/memory ]; then DJCG=/sys/fs/cgroup/memory/sdtest-django-$BASE; DJLIM=memory.limit_in_bytes
else DJCG=/sys/fs/cgroup/sdtest-django-$BASE; DJLIM=memory.max; fi
# the start command a drill runs (graceful-shutdown): returns once gunicorn
# has daemonised; its environment is this file's, never the runner's
cat >"$DJ/start.sh" <<SH
#!/bin/sh
cd "$DJAPP" || exit 1
[ -d "$DJCG" ] && echo \$\$ >"$DJCG/cgroup.procs"
rm -f "$DJ"/prom/* "$DJ"/booted/*
mkdir -p "$DJ/booted"
export BOOTED_DIR=$DJ/booted
export DATABASE_URL=postgresql://shakedown@127.0.0.1:$PROXY_PORT/postgres REDIS_URL=$REDIS_URL
export PROMETHEUS_MULTIPROC_DIR=$DJ/prom DELAY_MS=\${DELAY_MS:-0} LEAK_KB=\${LEAK_KB:-0}
exec gunicorn -c gunicorn.conf.py --bind 127.0.0.1:$DJPORT --pid "$DJ/gunicorn.pid" \\
	--daemon --log-file "$DJ/gunicorn.log" djapp.wsgi:application
SH
chmod +x "$DJ/start.sh"
dj_stop() {
	local p; p=$(cat "$DJ/gunicorn.pid" 2>/dev/null)
	[ -n "$p" ] && kill -TERM "$p" 2>/dev/null && for _ in $(seq 100); do alive "$p" || break; sleep 0.1; done
	rm -f "$DJ/gunicorn.pid"
}
dj_start() {	# dj_start [VAR=value...]
	dj_stop
	mkdir -p "$DJCG" 2>/dev/null && echo $((512 * 1024 * 1024)) >"$DJCG/$DJLIM"
	env "$@" "$DJ/start.sh"
	wait_for 30 code_is "http://127.0.0.1:$DJPORT/ready/?format=json" 200 >/dev/null
	# every worker booted (its app loaded), not just the one that answered
	wait_for 30 dj_booted >/dev/null
}
dj_booted() {	# the current master's workers all marked themselves ready
	[ "$(ls "$DJ/booted" 2>/dev/null | wc -l)" -ge 3 ]
}
dj_cleanup() { dj_stop; rmdir "$DJCG" 2>/dev/null; }
CLEANUPS+=(dj_cleanup)
# the tables django-health-check's database check writes to, as a team
# would create them
(cd "$DJAPP" && DATABASE_URL=$DB_URL REDIS_URL=$REDIS_URL /usr/bin/python3 manage.py migrate \
	--noinput) >"$DJ/migrate.log" 2>&1
ok "manage.py migrate (django-health-check's table)" grep -q "OK\|No migrations to apply" "$DJ/migrate.log"
dj_start
contains "django-health-check answers one key per check" '"RedisHealthCheck": "working"' \
	"$(body "http://127.0.0.1:$DJPORT/ht/?format=json")"

# What the profile needs from this machine, and nothing else: it is the
# shipped example, read as a team would read it
djdrill() {	# djdrill DRILL DIR [VAR=value...]: sets RC
	local d=$1 dir=$2 a over=(); shift 2
	for a in "$@"; do over+=(--var "$a"); done
	env -u SHAKEDOWN_TARGET -u DATABASE_URL -u REDIS_URL \
		DJANGO="http://127.0.0.1:$DJPORT" DJANGO_PIDFILE="$DJ/gunicorn.pid" \
		DJANGO_START="$DJ/start.sh" DJANGO_DATABASE_URL="$DB_URL" DJANGO_REDIS_URL="$REDIS_URL" \
		DJANGO_POSTGRES_STOP="shakedown sandbox stop postgres" \
		DJANGO_POSTGRES_START="shakedown sandbox start postgres" \
		DJANGO_REDIS_STOP="shakedown sandbox stop redis" \
		DJANGO_REDIS_START="shakedown sandbox start redis" DB_ROUTE="$ROUTE_SOCK#postgres" \
		DEP_ROUTE="$ROUTE_SOCK#postgres" \
		"$SHAKEDOWN" run -r "$dir" --vars "$here/../../examples/django-health-check.env" \
		"${over[@]}" "$SCN/$d.yaml" >"$dir.out" 2>&1
	RC=$?
}
ROUTE_SOCK=$SBX/proxy.sock
# PASS: what it does as the seeds say
for d in redis-outage postgres-outage postgres-failover graceful-shutdown health-load; do
	djdrill "$d" "$DJ/$d"
	eq "$d PASSes on Django (django-health-check, gunicorn)" 0 "$RC"
	[ "$RC" = 0 ] || show_out "$DJ/$d.out"
	eq "... every fault of it confirmed landed" "" "$(unconfirmed "$DJ/$d")"
	dj_start	# as it was, whatever the drill did
done
contains "postgres-outage on Django: readiness judged on django-health-check's JSON" \
	'$.DatabaseBackend != "working"' "$(cat "$DJ/postgres-outage/REPORT.md")"
contains "... its 500s, counted by django-prometheus, rose" 'django_http_responses_total_by_status_total' \
	"$(grep -i 'rises' "$DJ/postgres-outage/REPORT.md")"
contains "redis-outage on Django: the cache call kept answering during the outage" "api: HTTP 2xx holds" \
	"$(grep pass "$DJ/redis-outage/REPORT.md")"
contains "health-load on Django: the leak check read gunicorn's workers, not its idle master" \
	"descendant processes" "$(cat "$DJ/health-load/REPORT.md")"
# FAIL, with a reason a user understands: what this Django service lacks
djfail() {	# djfail DRILL REASON
	djdrill "$1" "$DJ/$1"
	eq "$1 FAILs on Django (exit 1, not an ERROR)" 1 "$RC"
	contains "... because $3" "$2" "$(cat "$DJ/$1.out")"
	dj_start
}
djfail ai-guard "accepted per user = 1; observed 10 of 10 users differ (accepted 5..5 per user)" \
	"it has no per-user AI guard"
djfail rate-limit "every rejection carries Retry-After; observed no rejection" "it has no rate limiter"
djfail cpu-throttle "429 0.0% (0)" "nothing is rate-limited under CPU pressure"
djfail circuit-breaker "expected calls: HTTP 503, body contains 'Circuit breaker is OPEN'" "it has no breaker"
djfail network-latency "time to degrade" "django-health-check's database check has no latency bound"
if [ -d "$DJCG" ]; then
	djfail memory-pressure "time to report" "nothing in it reports memory"
else
	echo "  skip  memory-pressure on Django: needs a memory cgroup"
fi
# none of them ERRORed
n_err=$(grep -l '^ERROR' "$DJ"/*.out 2>/dev/null | wc -l)
eq "no drill ends in ERROR on Django" 0 "$n_err"

# --- issue 37: probes that never become load ---
# 40 ms a request on 3 sync workers: probes asked every 10 ms would queue
# behind each other. One at a time, a probe's requests never overlap.
dj_start DELAY_MS=40
djdrill postgres-outage "$DJ/slow-fast" FAST_SAMPLING=10ms
eq "postgres-outage on a 40 ms prefork service, probes fast: PASS" 0 "$RC"
[ "$RC" = 0 ] || show_out "$DJ/slow-fast.out"
over=$(python3 - "$DJ/slow-fast/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ev, own = [], 0
for p in r["probes"]:
    s = p.get("series", {})
    t, lat = s.get("t_ms", []), s.get("latency_ms", [])
    mine = [(a, 1) for a in t] + [(a + max(l, 0), -1) for a, l in zip(t, lat)]
    ev += mine
    cur = 0
    for _, d in sorted(mine, key=lambda e: (e[0], e[1])):
        cur += d
        own = max(own, cur)
ev.sort(key=lambda e: (e[0], e[1]))
cur = most = 0
for _, d in ev:
    cur += d
    most = max(most, cur)
print(most, len(r["probes"]), own, len(ev) // 2)
PY
)
read -r most nprobes own nsamples <<<"$over"
ge "... its probes sampled ($nsamples requests in the result)" "${nsamples:-0}" 50
le "... never more requests in flight than probes ($most at once, $nprobes probes)" "${most:-99}" "${nprobes:-0}"
eq "... and never two of one probe at once" 1 "${own:-0}"
dj_start DELAY_MS=40
djdrill postgres-outage "$DJ/slow-off" FAST_SAMPLING=
eq "... and with fast sampling off: the same verdict" 0 "$RC"
contains "plan: each probe's worst-case rate" "at most 100 request(s)/s, one at a time" \
	"$(env DJANGO="http://127.0.0.1:$DJPORT" DJANGO_PIDFILE="$DJ/gunicorn.pid" DJANGO_DATABASE_URL="$DB_URL" \
	DJANGO_REDIS_URL="$REDIS_URL" "$SHAKEDOWN" plan --vars "$here/../../examples/django-health-check.env" \
	--var FAST_SAMPLING=10ms "$SCN/redis-outage.yaml" 2>&1)"
# a leak in a worker: 64 KiB a request, kept
dj_start LEAK_KB=64
djdrill health-load "$DJ/leak"
eq "health-load FAILs on Django whose workers leak 64 KiB a request" 1 "$RC"
contains "... the trend of the whole tree (PSS of the master and its workers)" "descendant processes" \
	"$(grep FAIL "$DJ/leak/REPORT.md")"
dj_start
