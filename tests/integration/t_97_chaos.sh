# The chaos test of the chaos tool: kill the runner with SIGKILL at seeded
# random moments, for every fault kind available here, and check that within
# 2 s nothing remains applied (services answering, no stopped process, no
# held connection, journal closed); then SIGINT/SIGTERM (exit 3, report
# written); recover after the guardian is gone too; a torn journal.
sbx up --no-bugs
C=$WORK/chaos; mkdir -p "$C"
RANDOM=20261122	# seeded: the same moments every run
JOURNAL=$SHAKEDOWN_STATE_DIR/journal.jsonl
svc='  cache: { kind: redis, url: "'$REDIS_URL'", stop: [shakedown, sandbox, stop, redis], start: [shakedown, sandbox, start, redis] }
  db: { kind: postgres, url: "'$DB_URL'", stop: [shakedown, sandbox, stop, postgres], start: [shakedown, sandbox, start, postgres] }
  app: { kind: process, pidfile: "'$SBX'/target.pid", start: [shakedown, sandbox, start, target] }'
kinds=(redis-stop pg-stop app-pause redis-pause pg-hold)
steps_for() {
	case $1 in
	redis-stop) printf '  - stop: cache\n  - wait: 3s\n  - start: cache\n';;
	pg-stop) printf '  - stop: db\n  - wait: 3s\n  - start: db\n';;
	app-pause) printf '  - pause: app\n  - wait: 3s\n  - resume: app\n';;
	redis-pause) printf '  - pause: { service: cache, for: 1500ms }\n  - wait: 3s\n';;
	pg-hold) printf '  - hold-connections: { service: db, count: 20 }\n  - wait: 3s\n';;
	esac
}
for k in "${kinds[@]}"; do
	{ printf 'drill: chaos-%s\nservices:\n%s\nsteps:\n' "$k" "$svc"; steps_for "$k"; } >"$C/$k.yaml"
done

clear_now() {	# nothing applied: every service answers, nothing stopped or held, journal closed
	[ "$(redis-cli -p "$REDIS_PORT" PING 2>/dev/null)" = PONG ] &&
	psql "$DB_URL" -Atc 'select 1' >/dev/null 2>&1 &&
	! grep -q ') T' "/proc/$(cat "$SBX/target.pid")/stat" 2>/dev/null &&
	[ "$(code "$TARGET/health")" = 200 ] &&
	[ "$(psql "$DB_URL" -Atc "select count(*) from pg_stat_activity where application_name LIKE 'shakedown-hold%'")" = 0 ] &&
	"$SHAKEDOWN" -q status >/dev/null
}

trials=0 clean=0 slow=""
for round in $(seq "${SD_CHAOS_ROUNDS:-5}"); do	# make chaos: 20
	for k in "${kinds[@]}"; do
		trials=$((trials + 1))
		delay=$((RANDOM % 1300))	# 0..1.3 s: steady, apply, holding
		"$SHAKEDOWN" run "$C/$k.yaml" >"$C/$k.$round.out" 2>&1 &
		rp=$!
		sleep "$(printf '0.%03d' "$delay")"
		kill -9 "$rp" 2>/dev/null; wait "$rp" 2>/dev/null
		if t=$(wait_for 3 clear_now); then
			clean=$((clean + 1))
		else
			slow="$slow $k@${delay}ms"
			wait_for 15 clear_now >/dev/null	# leave the next trial a clean start
			"$SHAKEDOWN" -q recover --force >/dev/null 2>&1
		fi
	done
done
eq "SIGKILL trials: nothing left applied within 3s in all $trials (failed:${slow:- none})" "$trials" "$clean"
ge "a SIGKILL trial for every kind in every round" "$trials" "$((${#kinds[@]} * ${SD_CHAOS_ROUNDS:-5}))"
ok "no guardian left after the trials" bash -c "! pgrep -f '[s]hakedown guardian --journal $JOURNAL'"
grep -h "guardian:" "$SHAKEDOWN_STATE_DIR/guardian.log" >/dev/null 2>&1
contains "the guardian did the reverting" "reverted:" "$(cat "$SHAKEDOWN_STATE_DIR/guardian.log" 2>/dev/null)"

# SIGINT and SIGTERM: revert everything, exit 3, the report still written
for sig in INT TERM INT TERM; do
	k=${kinds[$((RANDOM % 3))]}
	"$SHAKEDOWN" run -r "$C/sig-$sig" "$C/$k.yaml" >"$C/sig-$sig.out" 2>&1 &
	rp=$!
	sleep "$(printf '0.%03d' $((300 + RANDOM % 900)))"
	kill -"$sig" "$rp"; wait "$rp"; rc=$?
	eq "SIG$sig during $k: exit 3" 3 "$rc"
	ok "SIG$sig during $k: nothing left applied" clear_now
	contains "SIG$sig during $k: report written, verdict ABORTED" '"verdict": "ABORTED"' "$(cat "$C/sig-$sig/result.json" 2>/dev/null)"
done

# runner and guardian both killed: status shows it, recover cleans it, twice is harmless
"$SHAKEDOWN" run "$C/redis-stop.yaml" >"$C/both.out" 2>&1 &
rp=$!
wait_for 10 bash -c "! redis-cli -p $REDIS_PORT PING" >/dev/null
kill -9 $(pgrep -f "[s]hakedown guardian --journal $JOURNAL") "$rp" 2>/dev/null; wait "$rp" 2>/dev/null
sleep 0.3
out=$("$SHAKEDOWN" status); rc=$?
eq "status exits 1 with a fault left" 1 "$rc"
contains "status names it, its runner dead" "dead   stop cache" "$out"
out=$("$SHAKEDOWN" recover); rc=$?
eq "recover exits 0" 0 "$rc"
contains "recover reverted it" "reverted stop cache" "$out"
eq "redis back after recover" PONG "$(redis-cli -p "$REDIS_PORT" PING)"
contains "recover again: nothing to do" "nothing to recover" "$("$SHAKEDOWN" recover)"
# a fault already gone (the service restarted by hand) is simply closed
"$SHAKEDOWN" run "$C/redis-stop.yaml" >"$C/byhand.out" 2>&1 &
rp=$!
wait_for 10 bash -c "! redis-cli -p $REDIS_PORT PING" >/dev/null
kill -9 $(pgrep -f "[s]hakedown guardian --journal $JOURNAL") "$rp" 2>/dev/null; wait "$rp" 2>/dev/null
sbx start redis
contains "recover copes when the fault is already gone" "already answering" "$("$SHAKEDOWN" recover)"
eq "journal closed" 0 "$("$SHAKEDOWN" status >/dev/null; echo $?)"

# a torn last line (a crash mid-write) is read past
printf '{"op":"apply","id":"torn-1","run":"x","pid":1,"wha' >>"$JOURNAL"
out=$("$SHAKEDOWN" status); rc=$?
eq "status reads a torn journal" 0 "$rc"
contains "and says so" "torn lines skipped" "$out"
"$SHAKEDOWN" run "$C/redis-stop.yaml" >/dev/null 2>&1 &
rp=$!; sleep 1; kill -9 "$rp"; wait "$rp" 2>/dev/null
t=$(wait_for 2 clear_now); eq "after a torn line, journal and guardian still work" 0 $?

# a second Ctrl-C during the reverts skips nothing and says what is left
cat >"$C/slowrevert.yaml" <<YAML
drill: slowrevert
services:
  app: { kind: process, stop: [true], start: [sh, -c, "sleep 2; touch $C/started"] }
steps:
  - stop: app
  - wait: 30s
YAML
"$SHAKEDOWN" run "$C/slowrevert.yaml" >"$C/slowrevert.out" 2>"$C/slowrevert.err" &
rp=$!
sleep 1; kill -INT "$rp"; sleep 0.7; kill -INT "$rp"; wait "$rp"; rc=$?
eq "two Ctrl-C: exit 3" 3 "$rc"
contains "the second Ctrl-C says what is still being undone" "still undoing: start app: run 'sh -c 'sleep 2; touch" "$(cat "$C/slowrevert.err")"
ok "the revert still ran to the end" test -e "$C/started"
