# The memory kind and the memory-pressure drill (seed 003 experiment 4).
# A memory fault takes what it says — the cgroup's usage, or the machine's
# MemAvailable — and gives it back: after its time, and after kill -9 of the
# runner (the hog dies with it; the guardian removes shakedown's cgroup).
# percent: pushes a limited cgroup to that share of its limit; the safety
# floor refuses to starve the machine. The drill PASSes on the reference
# target (in the sandbox's 1GiB cgroup) and FAILs on --bug no_memory_check;
# the same on the Node service in a cgroup of its own, and FAILs there with
# NO_MEMORY_CHECK=1. SD_DRILL_REPEAT=N runs each verdict N times.
M=$WORK/memory; mkdir -p "$M"
DRILL=$here/../../scenarios/memory-pressure.yaml
MIB=$((1024 * 1024))
MEM_PIDS=()
MEMCG=""
mem_cleanup() {
	for p in "${MEM_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	MEM_PIDS=()
	[ -n "$MEMCG" ] && rmdir "$MEMCG" 2>/dev/null
}
CLEANUPS+=(mem_cleanup)
hogs() { ls -d /sys/fs/cgroup/memory/shakedown-mem-* /sys/fs/cgroup/memory/*/shakedown-mem-* \
	/sys/fs/cgroup/shakedown-mem-* /sys/fs/cgroup/*/shakedown-mem-* 2>/dev/null; }
avail_mib() { awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo; }

cat >"$M/bad.yaml" <<'YAML'
drill: badmem
steps:
  - memory: { size: 1GiB, percent: 50% }
YAML
out=$("$SHAKEDOWN" validate "$M/bad.yaml" 2>&1); rc=$?
eq "memory with size: and percent:: exit 2" 2 "$rc"
contains "and says which, at the step" "bad.yaml:3:5: memory: one of size:" "$out"
out=$("$SHAKEDOWN" fault memory percent=150% 2>&1); rc=$?
eq "memory percent 150%: exit 2" 2 "$rc"
ok "validate memory-pressure.yaml" "$SHAKEDOWN" validate "$DRILL"

if [ "$(id -u)" != 0 ] || { [ ! -d /sys/fs/cgroup/memory ] && ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; }; then
	echo "  skip  memory: needs root and a cgroup memory controller"
	return 0 2>/dev/null || exit 0
fi
if [ -d /sys/fs/cgroup/memory ]; then CGM=/sys/fs/cgroup/memory; LIMF=memory.limit_in_bytes USEF=memory.usage_in_bytes
else CGM=/sys/fs/cgroup; LIMF=memory.max USEF=memory.current; fi
usage_mib() { echo $(( $(cat "$1/$USEF") / MIB )); }

# the machine (first, while it is calm: memory a process gave back is not
# all free at once here): MemAvailable drops by what is taken, and rises
# again when it is given back. The rise is bounded loosely (a quarter): the
# sandbox's PostgreSQL and Redis move MemAvailable too (a CI run saw it come
# back 310 of 512 MiB, 200 MiB taken by something else meanwhile); that the
# hog itself is gone is checked exactly.
a0=$(avail_mib)
"$SHAKEDOWN" fault memory size=512MiB scope=machine --for 4s >"$M/host.out" 2>&1 & f=$!
wait_for 10 bash -c "[ \$(awk '/^MemAvailable:/ {print int(\$2 / 1024)}' /proc/meminfo) -le $((a0 - 480)) ]" >/dev/null
a1=$(avail_mib)
wait_for 10 bash -c "grep -q '^reverted' $M/host.out" >/dev/null
# (this VM hands freed pages back slowly: 2 s after a revert only 165-295
# of 512 MiB showed as free again, with no anon, cache or shmem page and no
# process left holding any; 10 s later more. The exact checks are the
# process and the cgroup below; this one catches memory kept for good.)
wait_for 20 bash -c "[ \$(awk '/^MemAvailable:/ {print int(\$2 / 1024)}' /proc/meminfo) -ge $((a1 + 480)) ]" >/dev/null
a2=$(avail_mib)
left=$(pgrep -f "memory size=512MiB" | grep -vx "$f" | wc -l)
wait "$f"
echo "        the machine: MemAvailable ${a0} MiB before, ${a1} MiB with 512MiB taken, ${a2} MiB after"
ge "size=512MiB on the machine: MemAvailable drops by at least 480 MiB" "$((a0 - a1))" 480
ge "and rises again when it is given back (within 20 s; at least a quarter)" "$((a2 - a1))" 128
eq "... and no process of the fault is left holding it" 0 "$left"

# a process in a cgroup of the test's own, limited to 256 MiB
MEMCG=$CGM/sdtest-mem-$BASE
mkdir -p "$MEMCG"; echo $((256 * MIB)) >"$MEMCG/$LIMF"
sh -c "echo \$\$ >$MEMCG/cgroup.procs; exec sleep 600" & P=$!; MEM_PIDS+=("$P")
wait_for 5 bash -c "grep -q sdtest-mem /proc/$P/cgroup" >/dev/null
u0=$(usage_mib "$MEMCG")
"$SHAKEDOWN" fault memory pid="$P" size=100MiB --for 3s >"$M/size.out" 2>&1 & f=$!
wait_for 10 bash -c "[ \$(( \$(cat $MEMCG/$USEF) / $MIB )) -ge $((u0 + 95)) ]" >/dev/null
u1=$(usage_mib "$MEMCG")
echo "        its cgroup: ${u0} MiB before, ${u1} MiB while 100MiB is taken"
ge "size=100MiB: the cgroup's usage grows by 100 MiB (at least 95)" "$((u1 - u0))" 95
le "size=100MiB: and not much more (at most 110)" "$((u1 - u0))" 110
wait "$f"; rc=$?
eq "fault memory --for: exit 0 once reverted" 0 "$rc"
le "given back: the cgroup's usage is as before (±5 MiB)" "$(usage_mib "$MEMCG")" $((u0 + 5))
eq "shakedown's cgroup is removed" "" "$(hogs)"

# percent: of the cgroup's limit
"$SHAKEDOWN" fault memory pid="$P" percent=90% --for 3s >"$M/pct.out" 2>&1 & f=$!
wait_for 10 bash -c "[ \$(( \$(cat $MEMCG/$USEF) * 100 / (256 * $MIB) )) -ge 88 ]" >/dev/null
pct=$(( $(cat "$MEMCG/$USEF") * 100 / (256 * MIB) ))
echo "        percent=90% of a 256 MiB limit: at ${pct}%"
ge "percent=90%: the cgroup is at least at 88% of its limit" "$pct" 88
le "percent=90%: and at most at 92%" "$pct" 92
wait "$f"
ok "percent=90%: the process it is charged to lives on" alive "$P"

# kill -9 of the runner while it holds 200 MiB: the hog dies with it, the
# guardian removes shakedown's cgroup
"$SHAKEDOWN" fault memory pid="$P" size=200MiB >"$M/k.out" 2>&1 & f=$!
wait_for 10 bash -c "[ \$(( \$(cat $MEMCG/$USEF) / $MIB )) -ge $((u0 + 190)) ]" >/dev/null
hog=$(cat "$(hogs | head -1)/cgroup.procs" 2>/dev/null | head -1)
ge "the hog is the OOM killer's first choice" "$(cat "/proc/$hog/oom_score_adj" 2>/dev/null || echo 0)" 1000
kill -KILL "$f"; wait "$f" 2>/dev/null; t0=$(now_ms)
wait_for 10 bash -c "[ -z \"\$(ls -d $MEMCG/shakedown-mem-* 2>/dev/null)\" ]" >/dev/null
took=$(( $(now_ms) - t0 ))
ok "kill -9: the hog is gone" bash -c "! { s=\$(awk '{print \$3}' /proc/$hog/stat 2>/dev/null) && [ -n \"\$s\" ] && [ \"\$s\" != Z ]; }"
eq "kill -9: shakedown's cgroup removed" "" "$(hogs)"
le "kill -9: reverted in ${took}ms" "$took" 3000
le "kill -9: the memory is given back (±5 MiB)" "$(usage_mib "$MEMCG")" $((u0 + 5))
mem_cleanup; MEMCG=""

# the machine's memory only when said on purpose (issue 25): a process
# without a limit of its own is refused before anything is taken
sleep 60 & nolim=$!; MEM_PIDS+=("$nolim")
out=$("$SHAKEDOWN" fault memory pid="$nolim" percent=90% --for 1s 2>&1); rc=$?
eq "a process without a memory limit: refused (exit 2)" 2 "$rc"
contains "and the message says how to mean it" "or say scope: machine to mean it" "$out"
eq "refused: nothing made" "" "$(hogs)"
out=$("$SHAKEDOWN" fault -n memory size=1MiB 2>&1); rc=$?
eq "the machine's memory without scope: machine: refused at -n (exit 2)" 2 "$rc"
kill "$nolim" 2>/dev/null
# the safety floor: all of the machine's available memory is refused
out=$("$SHAKEDOWN" fault memory size="$(avail_mib)MiB" scope=machine --for 1s 2>&1); rc=$?
eq "taking all available memory: refused, it cannot be applied (exit 4)" 4 "$rc"
contains "and names the safety floor" "safety floor" "$out"
eq "refused: nothing made" "" "$(hogs)"

# the drill: the reference target in the sandbox's cgroup
sbx up --no-bugs
T=$(cat "$SBX/target.pid")
contains "the sandbox target runs in a memory cgroup of its own" "shakedown-sandbox-" "$(grep memory "/proc/$T/cgroup" || grep '^0::' "/proc/$T/cgroup")"
contains "its /health reports memory against that cgroup" '"basis":"cgroup"' "$(body "$TARGET/health")"
repeat_drill 0 "$M/good"
eq "memory-pressure PASSes on the reference target ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "the report gives the time to report" "time to report" "$(cat "$M/good1/REPORT.md")"
eq "no hog left after the drill" "" "$(hogs)"
ok "the target lives on" alive "$T"
sbx up --bug no_memory_check
repeat_drill 1 "$M/bug"
eq "memory-pressure FAILs (exit 1) on --bug no_memory_check ($REPEAT run(s))" "$REPEAT" "$GOT"
contains "and names the memory check" "checks.memory.status" "$(cat "$M/bug1.out")"
eq "no hog left after a FAIL" "" "$(hogs)"
sbx up --no-bugs

# the Node service in a cgroup of its own (512 MiB)
NPORT=$((BASE + 90))
N=$WORK/node-memory; mkdir -p "$N"
MEMCG=$CGM/sdtest-node-$BASE
start_mnode() {	# start_mnode ENV...: sets NPID
	mkdir -p "$MEMCG"; echo $((512 * MIB)) >"$MEMCG/$LIMF"
	NODE_CGROUP=$MEMCG start_nodeapp "$N" "$@"
}
stop_mnode() { stop_nodeapp; rmdir "$MEMCG" 2>/dev/null; }
start_mnode
contains "the Node service's /health reports memory against its cgroup" '"basis":"cgroup"' "$(body "http://127.0.0.1:$NPORT/health")"
repeat_drill 0 "$N/good" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid"
eq "memory-pressure PASSes on the Node service ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_mnode
start_mnode NO_MEMORY_CHECK=1
repeat_drill 1 "$N/bug" SHAKEDOWN_TARGET="http://127.0.0.1:$NPORT" TARGET_PIDFILE="$N/node.pid"
eq "memory-pressure FAILs on the Node service without its memory check ($REPEAT run(s))" "$REPEAT" "$GOT"
stop_mnode
eq "no hog left after the Node runs" "" "$(hogs)"
mem_cleanup; MEMCG=""
