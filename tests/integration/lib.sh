# lib.sh — helpers for the integration suite: assertions that count, waits
# with deadlines, and extra targets on the suite's own ports. Sourced by run.sh.

PASS=0 FAIL=0
FAILED_NAMES=()

pass() { PASS=$((PASS + 1)); printf '  ok    %s\n' "$1"; }
fail() { FAIL=$((FAIL + 1)); FAILED_NAMES+=("$1"); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "$2"; return 0; }

# ok NAME CMD...: passes when CMD exits 0
ok() { local n=$1; shift; if "$@" >/tmp/sd-ok.$$ 2>&1; then pass "$n"; else fail "$n" "$(tail -n 5 /tmp/sd-ok.$$ | tr '\n' ' ')"; fi; }
# eq NAME EXPECTED ACTUAL
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi; }
ne() { if [ "$2" != "$3" ]; then pass "$1"; else fail "$1" "got '$3'"; fi; }
# contains NAME NEEDLE HAYSTACK
contains() { case "$3" in *"$2"*) pass "$1";; *) fail "$1" "'$2' not in: $(printf '%s' "$3" | head -c 300)";; esac; }
# le NAME A B: A <= B (numbers, may be decimal)
le() { if awk -v a="$2" -v b="$3" 'BEGIN{exit !(a<=b)}'; then pass "$1"; else fail "$1" "$2 > $3"; fi; }
ge() { if awk -v a="$2" -v b="$3" 'BEGIN{exit !(a>=b)}'; then pass "$1"; else fail "$1" "$2 < $3"; fi; }

now_ms() { date +%s%3N; }

# wait_for SECONDS CMD...: poll every 50 ms; prints elapsed ms; 1 on timeout
wait_for() {
	local limit_ms=$(( $1 * 1000 )) start; shift
	start=$(now_ms)
	while :; do
		if "$@" >/dev/null 2>&1; then echo $(( $(now_ms) - start )); return 0; fi
		[ $(( $(now_ms) - start )) -ge "$limit_ms" ] && { echo "timeout"; return 1; }
		sleep 0.05
	done
}

code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$@"; }
body() { curl -s -m 5 "$@"; }
jfield() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(json.dumps(d) if not isinstance(d,str) else d)' "$1"; }
health_is() { [ "$(body "$1/health" | jfield status)" = "$2" ]; }
code_is() { [ "$(code "$1")" = "$2" ]; }

# start_target PORT ARGS...: a target on the suite's Postgres/Redis; sets TPID
start_target() {
	local port=$1; shift
	"$SHAKEDOWN" target --port "$port" --db "$DB_URL" --redis "$REDIS_URL" "$@" \
		>>"$WORK/target-$port.log" 2>&1 &
	TPID=$!
	TARGET_PIDS+=("$TPID")
	wait_for 10 code_is "http://127.0.0.1:$port/health" 200 >/dev/null
}
stop_target() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

sbx() { "$SHAKEDOWN" -q sandbox --dir "$SBX" "$@"; }

# spawn CMD...: run in the background, remembered; join: wait for those only
# (a bare `wait` would also wait for the targets the suite started)
JOBS=()
spawn() { "$@" & JOBS+=($!); }
join() { [ ${#JOBS[@]} -gt 0 ] && wait "${JOBS[@]}"; JOBS=(); }
# alive PID: running and not a zombie (kill -0 also succeeds on zombies,
# which a lazy pid 1 may leave for a moment)
alive() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$s" ] && [ "$s" != Z ]; }

# Shipped drills, run REPEAT times per verdict (SD_DRILL_REPEAT, default 1):
# DRILL is the scenario.
REPEAT=${SD_DRILL_REPEAT:-1}
show_out() { sed 's/^/        | /' "$1"; }	# what a run printed, for a failure
toxics() { python3 "$here/tools/pxlist.py" "$ROUTE_SOCK" "$1"; }	# toxics ROUTE: how many
# LVARS: a profile file (--vars) the run reads over those variables, as a
# team's would; unset: none
ldrill() {	# ldrill DIR [VAR=value...]: $DRILL against the sandbox target
	local dir=$1; shift
	env SHAKEDOWN_TARGET="$TARGET" DATABASE_URL="$DB_URL" "$@" \
		"$SHAKEDOWN" run -r "$dir" ${LVARS:+--vars "$LVARS"} "$DRILL" \
		>"$dir.out" 2>&1
	RC=$?
}
# A PASS counts only with every fault it applied confirmed as landed (its
# own measure, issue 39): a PASS about a fault that missed is no PASS.
unconfirmed() {	# unconfirmed DIR: the faults of DIR/result.json not confirmed
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(" ".join("%d:%s" % (i + 1, f.get("proof")) for i, f in enumerate(r["faults"])
      if f.get("applied") and f.get("proof") != "confirmed"))' "$1/result.json" 2>/dev/null
}
verdict_not() {	# verdict_not V DIR: DIR/result.json's verdict when it is not V
	python3 -c 'import json,sys
v = json.load(open(sys.argv[2])).get("verdict")
print("" if v == sys.argv[1] else "verdict %s, not %s" % (v, sys.argv[1]))' "$1" "$2/result.json" 2>/dev/null ||
		echo "no result.json"
}
repeat_drill() {	# repeat_drill RC DIR [VAR=value...]: REPEAT runs; GOT: how many gave RC
	local want=$1 dir=$2 i u; shift 2	# REPEAT_GAP: seconds between two
	GOT=0
	for i in $(seq "$REPEAT"); do
		[ "$i" -gt 1 ] && [ -n "${REPEAT_GAP:-}" ] && sleep "$REPEAT_GAP"
		ldrill "$dir$i" "$@"
		u=
		[ "$want" = 0 ] && [ "$RC" = 0 ] && u=$(unconfirmed "$dir$i")
		[ -n "$u" ] && [ "$want" = 0 ] && u="faults not confirmed: $u"
		# exit 1 is FAIL, and also a service not steady to begin with
		# (ERROR): a FAIL counts only as one
		[ "$want" = 1 ] && [ "$RC" = 1 ] && u=$(verdict_not FAIL "$dir$i")
		if [ "$RC" = "$want" ] && [ -z "$u" ]; then GOT=$((GOT + 1));
		else show_out "$dir$i.out"; [ -n "$u" ] && echo "        | not counted: $u"; fi
	done
}

# The Node service (tests/nodeapp) on NPORT: start_nodeapp DIR [VAR=value...]
# (pidfile DIR/node.pid, log DIR/node.log; NODE_CGROUP, when set, is the
# cgroup directory it runs in); sets NPID.
start_nodeapp() {
	local dir=$1; shift
	env PORT="$NPORT" DATABASE_URL="$DB_URL" REDIS_URL="$REDIS_URL" PIDFILE="$dir/node.pid" "$@" \
		sh -c '[ -n "$0" ] && echo $$ >"$0/cgroup.procs"; exec node "$1"' \
		"${NODE_CGROUP:-}" "$here/../nodeapp/server.js" >>"$dir/node.log" 2>&1 &
	NPID=$!
	TARGET_PIDS+=("$NPID")
	wait_for 20 code_is "http://127.0.0.1:$NPORT/health" 200 >/dev/null ||
		fail "the Node service answers on $NPORT" "$(tail -n 3 "$dir/node.log" | tr '\n' ' ')"
}
stop_nodeapp() { kill -TERM "$NPID" 2>/dev/null; wait "$NPID" 2>/dev/null; }
