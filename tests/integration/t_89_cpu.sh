# The cpu kind on this host's cgroup cpu controller (v1 here; v2 where it has
# one): a busy process limited to 50 % uses about that and is back to a whole
# CPU after; children: true limits the processes below it, together; kill -9
# of the runner: the guardian moves it back and removes shakedown's cgroup;
# bad steps are file:line:col errors.
C=$WORK/cpu; mkdir -p "$C"
CPU_PIDS=()
cpu_cleanup() { for p in "${CPU_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; CPU_PIDS=(); }
CLEANUPS+=(cpu_cleanup)
busy() { sh -c 'while :; do :; done' & CPU_PIDS+=($!); BUSY=$!; }
cpu_pct() {	# cpu_pct PID...: % of one CPU they used together over 2 s
	local a=0 b=0 p
	for p in "$@"; do a=$((a + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
	sleep 2
	for p in "$@"; do b=$((b + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
	echo $(( (b - a) * 100 / $(getconf CLK_TCK) / 2 ))
}
our_cgroups() { ls -d /sys/fs/cgroup/*/shakedown-cpu-* /sys/fs/cgroup/shakedown-cpu-* /sys/fs/cgroup/unified/shakedown-cpu-* 2>/dev/null; }

# errors, before anything is applied
cat >"$C/bad.yaml" <<'YAML'
drill: badcpu
steps:
  - cpu: { limit: 50% }
YAML
out=$("$SHAKEDOWN" validate "$C/bad.yaml" 2>&1); rc=$?
eq "cpu without a process: exit 2" 2 "$rc"
contains "and says what it needs, at the step" "bad.yaml:3:5: cpu: one of service:, pid: or pidfile:" "$out"
out=$("$SHAKEDOWN" fault cpu pid=2 limit=0% 2>&1); rc=$?
eq "cpu limit 0%: exit 2" 2 "$rc"
contains "and says so" "limit: at least 1% of a CPU" "$out"

if [ "$(id -u)" != 0 ] || { [ ! -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && ! grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; }; then
	echo "  skip  cpu: needs root and a cgroup cpu controller"
	return 0 2>/dev/null || exit 0
fi

busy
B=$BUSY
orig=$(grep -E '(^0::|[:,]cpu[,:])' "/proc/$B/cgroup")
before=$(cpu_pct "$B")
"$SHAKEDOWN" fault cpu pid="$B" limit=50% --for 6s >"$C/f.out" 2>&1 & f=$!
wait_for 10 bash -c "grep -q shakedown-cpu- /proc/$B/cgroup" >/dev/null
during=$(cpu_pct "$B")
echo "        a busy process: ${before}% of a CPU before, ${during}% limited to 50%"
ge "before: it uses a whole CPU" "$before" 70
ge "limit 50%: at least 40%" "$during" 40
le "limit 50%: at most 60%" "$during" 60
contains "plan-style description names the cgroup quota" "cpu.cfs_quota_us 50000" "$("$SHAKEDOWN" fault -n cpu pid="$B" limit=50%)"
wait "$f"; rc=$?
eq "fault cpu --for: exit 0 once reverted" 0 "$rc"
eq "it is back in the cgroup it came from" "$orig" "$(grep -E '(^0::|[:,]cpu[,:])' "/proc/$B/cgroup")"
eq "shakedown's cgroup is removed" "" "$(our_cgroups)"
ge "after: a whole CPU again" "$(cpu_pct "$B")" 70

# kill -9 of the runner: the guardian reverts
"$SHAKEDOWN" fault cpu pid="$B" limit=20% >"$C/k.out" 2>&1 & f=$!
wait_for 10 bash -c "grep -q shakedown-cpu- /proc/$B/cgroup" >/dev/null
kill -KILL "$f"; wait "$f" 2>/dev/null; t0=$(now_ms)
wait_for 10 bash -c "! grep -q shakedown-cpu- /proc/$B/cgroup && [ -z \"\$(ls -d /sys/fs/cgroup/*/shakedown-cpu-* /sys/fs/cgroup/shakedown-cpu-* 2>/dev/null)\" ]" >/dev/null
took=$(( $(now_ms) - t0 ))
eq "kill -9: moved back" "$orig" "$(grep -E '(^0::|[:,]cpu[,:])' "/proc/$B/cgroup")"
eq "kill -9: shakedown's cgroup removed" "" "$(our_cgroups)"
le "kill -9: reverted by the guardian in ${took}ms" "$took" 3000
cpu_cleanup

# children: true — the processes below it share the quota
sh -c 'sh -c "while :; do :; done" & sh -c "while :; do :; done" & wait' & P=$!
CPU_PIDS+=("$P")
wait_for 5 bash -c "[ \$(pgrep -P $P | wc -l) = 2 ]" >/dev/null
kids=$(pgrep -P "$P" | tr '\n' ' ')
CPU_PIDS+=($kids)
"$SHAKEDOWN" fault cpu pid="$P" children=true limit=50% --for 6s >"$C/c.out" 2>&1 & f=$!
wait_for 10 bash -c "grep -q shakedown-cpu- /proc/${kids%% *}/cgroup" >/dev/null
# shellcheck disable=SC2086
together=$(cpu_pct $kids)
echo "        two busy children of one parent, limited together to 50%: ${together}%"
le "children: true: together at most 60%" "$together" 60
wait "$f"
eq "children: shakedown's cgroup removed" "" "$(our_cgroups)"
cpu_cleanup

# in a drill: the sandbox target, by its service's pidfile
sbx up --no-bugs
T=$(cat "$SBX/target.pid")
torig=$(grep -E '(^0::|[:,]cpu[,:])' "/proc/$T/cgroup")
cat >"$C/drill.yaml" <<YAML
drill: cputhrottle
target: $TARGET
services:
  app: { kind: process, pidfile: "$SBX/target.pid" }
probes:
  health: { get: /health, every: 100ms, timeout: 2s }
steps:
  - cpu: { service: app, limit: 50% }
  - expect: { probe: health, status: 200, holds: 1s }
YAML
"$SHAKEDOWN" run -r "$C/drill" "$C/drill.yaml" >"$C/drill.out" 2>&1; rc=$?
eq "a drill throttling the target by its service passes" 0 "$rc"
contains "its report names the cgroup" "shakedown-cpu-" "$(cat "$C/drill/REPORT.md")"
eq "the target is back in its cgroup after the drill" "$torig" "$(grep -E '(^0::|[:,]cpu[,:])' "/proc/$T/cgroup")"
eq "no shakedown cgroup left after the drill" "" "$(our_cgroups)"
