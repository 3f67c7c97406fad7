# A third hostile pass, over the surfaces the third wave added (issue 36):
# a monitoring URL's password, a proxy that would connect to itself, a
# cgroup quota on a whole slice, a result.json that is a symlink or
# quotes a secret file, a halted `fault --for`, a journal that cannot be
# read, an impossible date, the sandbox's ports, and the action's shell.
# Each case failed before its fix. (TLS files: t_79; Prometheus answers:
# t_83 and tests/unit/test_monprobe.c; bash completion: make deb-test.)
S9=$WORK/surfaces3; mkdir -p "$S9"
rc9() { "$@" >"$S9/out" 2>&1; echo $?; }
out9() { cat "$S9/out"; }

# --- a monitoring URL never prints its password, whatever its scheme ---
cat >"$S9/mon.yaml" <<'YAML'
drill: mon
target: http://127.0.0.1:1
probes:
  paged: { alert: X, alertmanager: "${AM_URL}" }
steps: [{ wait: 10ms }]
YAML
for u in 'HTTP://admin:Pw0rdSecret@127.0.0.1:1' 'hxxp://admin:Pw0rdSecret@127.0.0.1:1' \
	'hxxp:admin:Pw0rdSecret@127.0.0.1' 'ftp://admin:Pw0rdSecret@127.0.0.1:1'; do
	all=$(for c in validate plan vars run; do AM_URL=$u "$SHAKEDOWN" $c "$S9/mon.yaml" 2>&1; done)
	eq "AM_URL=${u%%admin*}...: validate, plan, vars, run print no password" 0 "$(grep -c Pw0rdSecret <<<"$all")"
done
contains "a scheme in capitals is a scheme (RFC 3986): taken" "Alertmanager at http://admin:***@127.0.0.1:1" \
	"$(AM_URL='HTTP://admin:Pw0rdSecret@127.0.0.1:1' "$SHAKEDOWN" plan "$S9/mon.yaml" 2>&1)"
contains "a typo'd scheme: said, quoting only the scheme" "this one's scheme is 'hxxp'" \
	"$(AM_URL='hxxp://admin:Pw0rdSecret@127.0.0.1:1' "$SHAKEDOWN" validate "$S9/mon.yaml" 2>&1)"

# --- a proxy never connects to itself ---
eq "fault proxy with upstream = listen: exit 2" 2 "$(rc9 "$SHAKEDOWN" fault -n proxy listen=127.0.0.1:$((BASE + 901)) upstream=127.0.0.1:$((BASE + 901)) latency=1ms)"
contains "... saying why" "is the proxy's own listen address" "$(out9)"
eq "... also when the upstream is a name for it (localhost)" 2 "$(rc9 "$SHAKEDOWN" fault -n proxy listen=127.0.0.1:$((BASE + 901)) upstream=localhost:$((BASE + 901)) latency=1ms)"
printf 'drill: loop\nsteps:\n  - proxy: { listen: "127.0.0.1:%d", upstream: "127.0.0.1:%d", latency: 10ms }\n' $((BASE + 901)) $((BASE + 901)) >"$S9/loop.yaml"
eq "validate: a drill's proxy to itself is refused" 2 "$(rc9 "$SHAKEDOWN" validate "$S9/loop.yaml")"
contains "... at its line" "loop.yaml:3:" "$(out9)"
eq "shakedown proxy NAME=A,A: exit 2" 2 "$(rc9 timeout 5 "$SHAKEDOWN" proxy x=127.0.0.1:$((BASE + 902)),127.0.0.1:$((BASE + 902)))"
contains "... saying why" "its own listen address" "$(out9)"
eq "and nothing listens there" "" "$(ss -Hltn "sport = :$((BASE + 902))")"

# --- a cgroup quota on a unit that is many services ---
eq "fault cpu unit=system.slice: exit 2" 2 "$(rc9 "$SHAKEDOWN" fault -n cpu unit=system.slice limit=50%)"
contains "... saying what it would throttle" "system.slice holds every service under it" "$(out9)"
eq "fault cpu unit=init.scope: exit 2" 2 "$(rc9 "$SHAKEDOWN" fault -n cpu unit=init.scope limit=50%)"
eq "... scope=machine says it is meant" 0 "$(rc9 "$SHAKEDOWN" fault -n cpu unit=system.slice limit=50% scope=machine)"
eq "a service's own unit needs no scope" 0 "$(rc9 "$SHAKEDOWN" fault -n cpu unit=nginx.service limit=50%)"

# --- result.json: a symlink is not followed, content is never quoted ---
printf 'root:$6$saltsalt$HASHHASHHASH:19000:0:99999:7:::\n' >"$S9/shadow"
mkdir -p "$S9/r"; ln -s "$S9/shadow" "$S9/r/result.json"
eq "report of a result.json that is a symlink: exit 2" 2 "$(rc9 "$SHAKEDOWN" report "$S9/r/result.json")"
contains "... refused as one" "a symbolic link: never followed" "$(out9)"
eq "... and no byte of its target is shown" 0 "$(grep -c -e 'root' -e HASH "$S9/out")"
cp "$S9/shadow" "$S9/plain.json"
eq "a file that is not JSON: exit 2" 2 "$(rc9 "$SHAKEDOWN" report "$S9/plain.json")"
eq "... its parse error quotes none of it" 0 "$(grep -c -e "near 'root" -e HASH "$S9/out")"
eq "load --merge of a symlink: exit 2" 2 "$(rc9 "$SHAKEDOWN" load --merge "$S9/r/result.json")"
eq "... without quoting it" 0 "$(grep -c -e root -e HASH "$S9/out")"

# --- a date is a date ---
cat >"$S9/mini.yaml" <<'YAML'
drill: mini
steps: [{ wait: 10ms }]
YAML
"$SHAKEDOWN" -q run -r "$S9/m" "$S9/mini.yaml" >/dev/null 2>&1
python3 - "$S9/m/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["started_ms"] = -9223372036854775807
json.dump(r, open(sys.argv[1], "w"))
PY
eq "report --history of started_ms -9223372036854775807: exit 2" 2 "$(rc9 "$SHAKEDOWN" report --history -o "$S9/h" "$S9/m")"
contains "... it is no date" "started_ms is not a date from 1970 to 9999" "$(out9)"
ok "... and no year -29719 was drawn" bash -c "! grep -rqs -- '-29719' '$S9/h'"

# --- a halted `fault --for` says so, and does not exit 0 ---
"$SHAKEDOWN" fault --for 30s proxy listen=127.0.0.1:$((BASE + 903)) upstream=127.0.0.1:$TARGET_PORT latency=1ms >"$S9/held.out" 2>&1 & HELD=$!
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((BASE + 903))" >/dev/null
"$SHAKEDOWN" -q halt >/dev/null 2>&1
wait "$HELD"; hrc=$?
eq "fault --for 30s stopped by shakedown halt: exit 5 (not 0)" 5 "$hrc"
contains "... saying it was stopped before its time" "stopped by shakedown halt before its time: reverted" "$(cat "$S9/held.out")"

# --- status: a journal it cannot read is not "a fault is applied" ---
mkdir -p "$S9/state/journal.jsonl"
eq "status with a journal that is a directory: exit 7" 7 "$(SHAKEDOWN_STATE_DIR=$S9/state rc9 "$SHAKEDOWN" status)"
contains "... saying it cannot read it" "cannot read the journal" "$(out9)"
eq "status with nothing applied: exit 0" 0 "$(SHAKEDOWN_STATE_DIR=$S9/empty rc9 "$SHAKEDOWN" status)"

# --- the sandbox's ports are below the ephemeral range ---
for p in $("$SHAKEDOWN" help sandbox 2>&1 | grep -o 'default [0-9]*' | awk '{print $2}'); do
	le "sandbox default port $p is below 32768 (the ephemeral range)" "$p" 32767
done
for f in "$here"/../../scenarios/*.yaml; do
	for p in $(grep -oE '127\.0\.0\.1:[0-9]+' "$f" | cut -d: -f2 | sort -u); do
		le "$(basename "$f"): default port $p below 32768" "$p" 32767
	done
done

# --- the action's shell: its drills are words, never globs; sudo keeps
# the environment wherever shakedown runs ---
mkdir -p "$S9/act/bin" "$S9/act/cwd"; touch "$S9/act/cwd/redis-x.yaml" "$S9/act/cwd/redis-y.yaml"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s"\n' "$S9/act/args" >"$S9/act/bin/shakedown"; chmod +x "$S9/act/bin/shakedown"
python3 - "$here/../../action.yml" "$S9/act/run.sh" <<'PY'
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
step = [s for s in a["runs"]["steps"] if s.get("id") == "run"][0]
open(sys.argv[2], "w").write(step["run"])
bad = [s["name"] for s in a["runs"]["steps"] if "shakedown" in s.get("run", "") and "SUDO=" in s.get("run", "")
       and 'SUDO="sudo -E"' not in s["run"] and "Install" not in s["name"]]
print("\n".join(bad), file=open(sys.argv[2] + ".bad", "w"))
PY
(cd "$S9/act/cwd" && PATH=$S9/act/bin:$PATH DRILLS='redis-* ./redis-x.yaml' VARS= ARGS= REPORT_DIR=r GITHUB_OUTPUT=/dev/null bash -e "$S9/act/run.sh") >/dev/null 2>&1
contains "action: DRILLS='redis-*' stays the word it is (no glob)" "/usr/share/shakedown/scenarios/redis-*.yaml" "$(cat "$S9/act/args" 2>/dev/null)"
eq "... and is not expanded to the files here" 0 "$(grep -c 'redis-y' "$S9/act/args" 2>/dev/null)"
eq "action: every step that runs shakedown under sudo keeps the environment (-E)" "" "$(tr -d '\n' <"$S9/act/run.sh.bad")"
