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
