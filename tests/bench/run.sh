#!/usr/bin/env bash
# bench/run.sh — `make bench`: shakedown load side by side with wrk, in one
# run, against a local nginx (1 worker, a small static JSON), reported as
# ratios. Not a test: numbers for people, goals checked by eye and quoted.
#   closed model, 50 connections, 1 thread each: requests/s, CPU time
#     (user+sys) per request, peak RSS — shakedown / wrk
#   open model at 1k, 5k, 20k req/s: achieved rate vs requested
#   RSS over a long run (BENCH_SOAK, default 300 s): flat?
#   10 000 concurrent connections: peak RSS (goal < 64 MB)
set -u
SD=${1:?usage: run.sh PATH-TO-SHAKEDOWN}
D=${BENCH_SECONDS:-10}
SOAK=${BENCH_SOAK:-300}
PORT=${BENCH_PORT:-27990}
W=$(mktemp -d /tmp/shakedown-bench.XXXXXX)
URL=http://127.0.0.1:$PORT/
ulimit -n 65536 2>/dev/null || ulimit -n 32768

for t in nginx wrk /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (make bench installs nginx-light, wrk, time)" >&2; exit 1; }
done
mkdir -p "$W/logs"
cat >"$W/nginx.conf" <<NGINX
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid $W/nginx.pid;
error_log $W/logs/error.log warn;
events { worker_connections 30000; }
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$PORT backlog=16384;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
NGINX
nginx -p "$W" -c "$W/nginx.conf" &
NGINX_PID=$!
trap 'kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null; rm -rf "$W"' EXIT
for i in $(seq 50); do curl -s -o /dev/null "$URL" && break; sleep 0.1; done

# timed CMD...: runs it under GNU time; prints "user sys maxrss_kb" to $W/time
timed() { /usr/bin/time -f '%U %S %M' -o "$W/time" "$@"; }

echo "== closed model: 50 connections, 1 thread, ${D}s each, best of 2"
best_sd=0 best_wrk=0
for round in 1 2; do
	timed wrk -t1 -c50 -d"${D}s" "$URL" >"$W/wrk.out" 2>&1
	read -r wu ws wm <"$W/time"
	wreq=$(awk '/requests in/{print $1}' "$W/wrk.out")
	wrps=$(awk '/Requests\/sec/{print $2}' "$W/wrk.out")
	timed "$SD" load -t1 -c50 -d"${D}s" --json "$URL" >"$W/sd.json" 2>&1
	read -r su ss sm <"$W/time"
	sreq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$W/sd.json")
	srps=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["rps"],1))' "$W/sd.json")
	if awk -v a="$srps" -v b="$best_sd" 'BEGIN{exit !(a>b)}'; then best_sd=$srps; SDL="$sreq $su $ss $sm"; fi
	if awk -v a="$wrps" -v b="$best_wrk" 'BEGIN{exit !(a>b)}'; then best_wrk=$wrps; WRKL="$wreq $wu $ws $wm"; fi
done
read -r sreq su ss sm <<<"$SDL"
read -r wreq wu ws wm <<<"$WRKL"
python3 - "$best_sd" "$sreq" "$su" "$ss" "$sm" "$best_wrk" "$wreq" "$wu" "$ws" "$wm" <<'PY'
import sys
srps, sreq, su, ss, sm, wrps, wreq, wu, ws, wm = map(float, sys.argv[1:])
scpu = (su + ss) * 1e6 / sreq
wcpu = (wu + ws) * 1e6 / wreq
print(f"  {'':24}{'shakedown':>12}{'wrk':>12}{'ratio':>9}")
print(f"  {'requests/s':24}{srps:12.0f}{wrps:12.0f}{srps/wrps:9.2f}")
print(f"  {'CPU per request (us)':24}{scpu:12.2f}{wcpu:12.2f}{scpu/wcpu:9.2f}   goal: ratio <= 1")
print(f"  {'peak RSS (MiB)':24}{sm/1024:12.1f}{wm/1024:12.1f}{sm/wm:9.2f}")
PY

echo
echo "== open model: achieved vs requested rate (${D}s, 100 connections, 1 thread)"
for r in 1000 5000 20000; do
	"$SD" load -t1 -c100 -R "$r" -d"${D}s" --json "$URL" >"$W/open.json" 2>&1
	python3 - "$r" "$W/open.json" <<'PY'
import json, sys
r = float(sys.argv[1]); j = json.load(open(sys.argv[2]))
got = j["requests"] / j["duration_s"]
print(f"  requested {r:7.0f}/s  achieved {got:9.1f}/s  off by {100*(got-r)/r:+6.2f}%"
      f"   p99 {j['latency_ms']['p99']:.2f}ms (uncorrected {j['latency_uncorrected_ms']['p99']:.2f}ms)   goal: within ±1%")
PY
done

echo
echo "== 10 000 concurrent connections (${D}s, 2 threads)"
timed "$SD" load -t2 -c10000 -d"${D}s" -T 10s --json "$URL" >"$W/c10k.json" 2>&1
read -r cu cs cm <"$W/time"
python3 - "$W/c10k.json" "$cm" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); m = float(sys.argv[2]) / 1024
print(f"  {j['requests']} requests, {j['errors']} errors, {j['rps']:.0f}/s, peak RSS {m:.1f} MiB   goal: < 64 MiB")
PY

echo
echo "== RSS over a ${SOAK}s run (50 connections, 1 thread), sampled every 10s"
"$SD" load -t1 -c50 -d"${SOAK}s" --json "$URL" >"$W/soak.json" 2>&1 &
lp=$!
sleep 2
samples=""
while kill -0 "$lp" 2>/dev/null; do
	rss=$(awk '/VmRSS/{print $2}' "/proc/$lp/status" 2>/dev/null) && samples="$samples $rss"
	sleep 10
done
wait "$lp"
python3 - $samples <<'PY'
import sys
v = [int(x) for x in sys.argv[1:]]
if v:
    print(f"  samples {len(v)}: first {v[0]/1024:.1f} MiB, last {v[-1]/1024:.1f} MiB, max {max(v)/1024:.1f} MiB"
          f", growth first->last {(v[-1]-v[0])/1024:+.2f} MiB   goal: flat")
PY
