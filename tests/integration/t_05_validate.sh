# Every malformed scenario gives its pinned "file:line:col: message" and exit 2;
# the shipped ones validate; a bad file given to run applies nothing.
for f in "$here"/../scenarios/bad/*.yaml; do
	want=$(head -1 "$f" | sed 's/^# expect: //')
	got=$("$SHAKEDOWN" validate "$f" 2>&1); rc=$?
	name=$(basename "$f" .yaml)
	if [ "$rc" = 2 ] && [ "$got" = "shakedown: $f:$want" ]; then pass "validate $name"
	else fail "validate $name" "rc=$rc want '$f:$want' got '$got'"; fi
done
n=$(ls "$here"/../scenarios/bad/*.yaml | wc -l)
ge "at least 100 malformed scenarios pinned ($n)" "$n" 100
# run and plan refuse each of them the same way, before doing anything
bad_run=""
for f in "$here"/../scenarios/bad/*.yaml; do
	"$SHAKEDOWN" run "$f" >/dev/null 2>&1; rc=$?
	"$SHAKEDOWN" plan "$f" >/dev/null 2>&1; rc2=$?
	[ "$rc" = 2 ] && [ "$rc2" = 2 ] || bad_run="$bad_run $(basename "$f")"
done
eq "run and plan exit 2 on every malformed scenario" "" "$bad_run"
ok "shipped scenarios validate" "$SHAKEDOWN" validate "$here"/../../scenarios/*.yaml
# run refuses a bad file before touching anything: the stop would create a marker
marker=$WORK/applied-marker
cat >"$WORK/late-error.yaml" <<YAML
drill: late-error
services:
  app: { kind: process, stop: [touch, "$marker"], start: [true], pidfile: /nonexistent/app.pid }
steps:
  - stop: app
  - wait: forever
YAML
"$SHAKEDOWN" run "$WORK/late-error.yaml" >/dev/null 2>&1; eq "run on a bad scenario exits 2" 2 $?
ok "run on a bad scenario applied nothing" test ! -e "$marker"
# blast radius: a non-loopback target is refused before anything is applied
cat >"$WORK/remote.yaml" <<YAML
drill: remote
target: http://192.0.2.10:8080
services:
  app: { kind: process, stop: [touch, "$marker"], start: [true], pidfile: /nonexistent/app.pid }
probes:
  h: { get: /health }
steps:
  - stop: app
YAML
out=$("$SHAKEDOWN" run "$WORK/remote.yaml" 2>&1); rc=$?
eq "non-loopback target refused with exit 2" 2 "$rc"
contains "refusal names the host and the way out" "the target goes to '192.0.2.10', which is not loopback; add it to allow: or pass --allow-host 192.0.2.10" "$out"
ok "refused run applied nothing" test ! -e "$marker"

# Every literal a shipped drill checks comes from a variable, each one is
# documented in its drill's header and listed by `shakedown vars`, and each
# one set empty switches its check off, said so (issue 38)
out=$(python3 "$here/tools/drillvars.py" "$SHAKEDOWN" "$here/../../scenarios" 2>&1)
eq "every shipped drill: its checks from variables, documented, each one can be off" \
	"drillvars: 0 finding(s)" "$(tail -n 1 <<<"$out")"
[ -z "$(grep -v '^drillvars:' <<<"$out")" ] || printf '        %s\n' "$(head -n 20 <<<"$out")"
# one variable, each drill's own default (not the first one found)
out=$("$SHAKEDOWN" vars "$here"/../../scenarios/*.yaml 2>&1)
contains "vars: a variable the drills default differently shows each drill's own" \
	"default: differs by drill" "$out"
contains "... postgres-outage's FAST_SAMPLING, 10ms" "postgres-outage: 10ms" "$out"
# a profile's values may use the environment, the lines above, and its folder
P5=$WORK/profile5; mkdir -p "$P5"
cat >"$P5/svc.env" <<'ENV'
BASE=http://127.0.0.1:${SVC_PORT:-9}
SHAKEDOWN_TARGET=${BASE}/app
TARGET_PIDFILE=${PROFILE_DIR}/run/app.pid
LITERAL='${NOT_EXPANDED}'
ENV
out=$(SVC_PORT=4321 "$SHAKEDOWN" vars --vars "$P5/svc.env" "$here/../../scenarios/postgres-outage.yaml" 2>&1)
contains "a profile line uses the environment and the lines above" "value: http://127.0.0.1:4321/app (from $P5/svc.env:2)" "$out"
contains "... and \${PROFILE_DIR}, its own folder" "value: $P5/run/app.pid (from $P5/svc.env:3)" "$out"
printf 'X=${NO_SUCH_VARIABLE_HERE}\n' >"$P5/bad.env"
out=$("$SHAKEDOWN" vars --vars "$P5/bad.env" "$here/../../scenarios/postgres-outage.yaml" 2>&1); rc=$?
eq "a profile line naming an unset variable: exit 2" 2 "$rc"
contains "... at its line and column" "$P5/bad.env:1:3: variable 'NO_SUCH_VARIABLE_HERE' is not set" "$out"
# the shipped profiles are read as they are (their ${...} with defaults)
for f in "$here"/../../examples/*.env; do
	ok "examples/$(basename "$f"): every drill reads it" "$SHAKEDOWN" vars --vars "$f" "$here"/../../scenarios/*.yaml
done
