# The newer surfaces as an adversarial user would try them (issue 23): a
# result.json, a pidfile, a proxy's control socket, a service's answer or a
# careless value must never make shakedown write, connect or signal where
# nobody meant, nor drive a terminal or a report. Each case failed before.
S7=$WORK/surfaces; mkdir -p "$S7"
rc_of() { "$@" >"$S7/out" 2>&1; echo $?; }
out7() { cat "$S7/out"; }

# --- files it writes ---
# a drill name from a result.json copied off another machine is no path
cat >"$S7/mini.yaml" <<'YAML'
drill: mini
steps: [{ wait: 10ms }]
YAML
"$SHAKEDOWN" -q run -r "$S7/a" "$S7/mini.yaml" >/dev/null 2>&1
esc=$S7/escaped-$$
python3 - "$S7/a/result.json" "$esc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["drill"] = "../../../../.." + sys.argv[2]
json.dump(r, open(sys.argv[1], "w"))
PY
cp -r "$S7/a" "$S7/b"
sed -i 's/"title": "mini"/"title": "mini again"/' "$S7/b/result.json"	# not a copy: merged apart
eq "report -o OUT A B with drill '../../..': exit 0" 0 "$(rc_of "$SHAKEDOWN" report -o "$S7/out1" "$S7/a" "$S7/b")"
ok "report -o: nothing written outside OUT" test ! -e "$esc"
eq "report -o: each drill's folder is a safe name under OUT" 2 "$(ls -d "$S7"/out1/_*/ | wc -l)"
ok "report -o: no folder name starts with a dot" bash -c "! ls -a '$S7/out1' | grep -q '^\.[^.]'"
# a symlink planted where the writer makes its temporary file, and where
# a drill's folder goes, is never followed
echo precious >"$S7/victim"
# (the issue's own attack: the pid of the report is the subshell's, known)
(ln -s "$S7/victim" "$S7/a/REPORT.md.tmp.$BASHPID"; exec "$SHAKEDOWN" -q report "$S7/a/result.json") >/dev/null 2>&1
eq "a symlink at REPORT.md.tmp.PID: the victim is untouched" precious "$(cat "$S7/victim")"
ok "and REPORT.md is a file of its own" test -f "$S7/a/REPORT.md" -a ! -L "$S7/a/REPORT.md"
"$SHAKEDOWN" -q run -r "$S7/m1" "$S7/mini.yaml" >/dev/null 2>&1
"$SHAKEDOWN" -q run -r "$S7/m2" "$S7/mini.yaml" >/dev/null 2>&1
mkdir -p "$S7/out2" "$S7/victimdir"; ln -s "$S7/victimdir" "$S7/out2/mini"
eq "a symlink where a drill's folder goes: refused" 1 "$(rc_of "$SHAKEDOWN" report -o "$S7/out2" "$S7/m1" "$S7/m2")"
contains "and says so" "a symbolic link: never followed" "$(out7)"
ok "and nothing written through it" test -z "$(ls "$S7/victimdir")"
ln -s "$S7/victim" "$S7/summary.md"
GITHUB_STEP_SUMMARY=$S7/summary.md "$SHAKEDOWN" -q run "$S7/mini.yaml" >"$S7/out" 2>&1
contains "GITHUB_STEP_SUMMARY through a symlink: refused" "symbolic link" "$(out7)"
eq "and the victim is untouched" precious "$(cat "$S7/victim")"

# --- the fault proxy obeys the blast radius ---
eq "fault proxy upstream=10.200.0.2: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n proxy listen=127.0.0.1:47010 upstream=10.200.0.2:47011 latency=1ms)"
contains "and it names the host and the way out" "connects to '10.200.0.2', which is not loopback; add it to allow: or pass --allow-host 10.200.0.2" "$(out7)"
eq "fault proxy listen=0.0.0.0: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n proxy listen=0.0.0.0:47012 upstream=127.0.0.1:47011 latency=1ms)"
eq "fault proxy listen=...:70000: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n proxy listen=127.0.0.1:70000 upstream=127.0.0.1:47011 latency=1ms)"
contains "and says what a port is" "a port is a number from 1 to 65535" "$(out7)"
eq "--allow-host lets it through" 0 "$(rc_of "$SHAKEDOWN" fault -n --allow-host 10.200.0.2 proxy listen=127.0.0.1:47010 upstream=10.200.0.2:47011 latency=1ms)"
eq "[::1]:PORT needs no quotes" 0 "$(rc_of "$SHAKEDOWN" fault -n proxy listen=[::1]:47013 upstream=127.0.0.1:47011 latency=1ms)"
eq "shakedown proxy listening on 0.0.0.0: exit 2" 2 "$(rc_of timeout 5 "$SHAKEDOWN" proxy x=0.0.0.0:47014,127.0.0.1:1)"
# the control socket range-checks what enters it
"$SHAKEDOWN" proxy -c "$S7/px.sock" r=127.0.0.1:$((BASE + 90)),127.0.0.1:$TARGET_PORT >"$S7/px.log" 2>&1 & px7=$!
wait_for 10 test -S "$S7/px.sock" >/dev/null
ctl() { python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode()+b"\n"); print(s.makefile().readline().strip())' "$S7/px.sock" "$1"; }
a=$(ctl '{"op":"add","route":"r","toxic":{"id":"x","type":"latency","latency_ms":9223372036854775807}}')
contains "control socket: latency_ms = INT64_MAX refused" "latency_ms: an integer from 0 to" "$a"
a=$(ctl '{"op":"add","route":"r","toxic":{"id":"x","type":"timeout","timeout_ms":-5}}')
contains "control socket: a negative timeout refused" "timeout_ms: an integer" "$a"
eq "and the route still relays" 200 "$(code "http://127.0.0.1:$((BASE + 90))/health")"
kill -TERM "$px7"; wait "$px7" 2>/dev/null

# --- processes it acts on ---
sleep 300 & vic=$!; TARGET_PIDS+=("$vic")
mkfifo "$S7/fifo.pid"
eq "pidfile a FIFO: exit 2 at once" 2 "$(rc_of timeout 5 "$SHAKEDOWN" fault -n signal pidfile="$S7/fifo.pid")"
contains "and says so" "not a regular file (a FIFO)" "$(out7)"
eq "pidfile /dev/zero: exit 2 at once" 2 "$(rc_of timeout 5 "$SHAKEDOWN" fault -n signal pidfile=/dev/zero)"
eq "validate: a pidfile that is a FIFO is seen" 2 "$(printf 'drill: x\nservices:\n  a: { kind: process, pidfile: %s }\nsteps: [{ pause: a }]\n' "$S7/fifo.pid" >"$S7/f.yaml"; rc_of "$SHAKEDOWN" validate "$S7/f.yaml")"
echo "$vic" >"$S7/ww.pid"; chmod 666 "$S7/ww.pid"
eq "a pidfile anyone can write: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n signal pidfile="$S7/ww.pid")"
contains "and says why it is not trusted" "can be written by someone other than root or the owner of pid $vic" "$(out7)"
mkdir -p "$S7/open"; chmod 777 "$S7/open"; echo "$vic" >"$S7/open/p.pid"
eq "a pidfile in a folder anyone can change: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n signal pidfile="$S7/open/p.pid")"
chmod 644 "$S7/ww.pid"
eq "comm: the wrong process: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n signal pidfile="$S7/ww.pid" comm=postgres)"
contains "and names what it found" "pid $vic is 'sleep', not comm: 'postgres'" "$(out7)"
eq "comm: and exe: of the right one: exit 0" 0 "$(rc_of "$SHAKEDOWN" fault -n signal pidfile="$S7/ww.pid" comm=sleep exe=sleep)"
contains "plan shows the matched process" "service it: pid $vic (sleep, $(readlink /proc/$vic/exe))" "$(out7)"
eq "pid 2: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n signal pid=2)"
kt=$(for p in /proc/[0-9]*; do p=${p#/proc/}; [ "$p" -gt 2 ] && [ "$(awk '{print $2}' /proc/$p/stat 2>/dev/null)" = "(kworker/0:0H-events_highpri)" ] && { echo "$p"; break; }; done)
[ -z "$kt" ] && kt=$(ps -eo pid,ppid,comm | awk '$2 == 2 && $1 > 2 {print $1; exit}')
eq "a kernel thread (pid $kt): exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n pause pid="$kt")"
contains "and says it is one" "is a kernel thread" "$(out7)"
eq "cpu on a kernel thread: exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n cpu limit=50% pid="$kt")"
ok "the victim was never signalled" alive "$vic"

# --- network devices ---
eq "netem dev=eth0 loss=100% (no scope): exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n netem dev=eth0 loss=100%)"
contains "and it says how to scope it" "scope it, or say scope: device" "$(out7)"
eq "bandwidth dev=lo rate=1mbit (no scope): exit 2" 2 "$(rc_of "$SHAKEDOWN" fault -n bandwidth rate=1mbit)"
eq "scope=device says so on purpose: exit 0" 0 "$(rc_of "$SHAKEDOWN" fault -n bandwidth rate=1mbit scope=device)"
eq "a device that is not here: -n exits 2" 2 "$(rc_of "$SHAKEDOWN" fault -n bandwidth dev=nosuch7 rate=1mbit port=80)"

# --- what the database sees: the writer's lookup only reads ---
psql -X -q -d "$DB_URL" -c 'CREATE SEQUENCE IF NOT EXISTS sd_lookup_seq' >/dev/null 2>&1
cat >"$S7/writer.yaml" <<YAML
drill: writer
target: $TARGET
services:
  db: { kind: postgres, url: "$DB_URL" }
  app: { kind: process, stop: [touch, "$S7/stopped"], start: ["true"] }
probes:
  w:
    post: /api/writes
    headers: { Content-Type: application/json }
    body: '{"key":"{key}"}'
    every: 200ms
    writes: { in: db, query: "SELECT k FROM unnest(\$1::text[]) AS k UNION ALL SELECT NULL WHERE nextval('sd_lookup_seq') < 0" }
steady:
  - { probe: w, status: 2xx }
steps:
  - stop: app
YAML
eq "a lookup that writes (nextval) passes the static check" 0 "$(rc_of "$SHAKEDOWN" validate "$S7/writer.yaml")"
"$SHAKEDOWN" run "$S7/writer.yaml" >"$S7/out" 2>&1; rc=$?
eq "but the run stops before the fault (exit 1, ERROR)" 1 "$rc"
contains "with the database's own word for it" "read-only transaction" "$(out7)"
contains "and nothing was applied" "nothing was applied" "$(out7)"
ok "(its stop never ran)" test ! -e "$S7/stopped"
eq "the sequence was never advanced" f "$(psql -X -q -t -A -d "$DB_URL" -c 'SELECT is_called FROM sd_lookup_seq')"

# --- untrusted text ---
cat >"$S7/title.yaml" <<'YAML'
drill: title
title: "T \x1b[2J\x1b]0;pwned\x07 <script>alert(1)</script> [x](http://e.test) ```"
steps: [{ wait: 10ms }]
YAML
for c in "plan $S7/title.yaml" "run -n $S7/title.yaml" "list $S7"; do
	"$SHAKEDOWN" $c >"$S7/out" 2>&1
	eq "$c: no raw ESC or BEL reaches the terminal" 0 "$(tr -cd '\033\007' <"$S7/out" | wc -c)"
done
contains "the ESC is shown escaped" '\x1b[2J' "$(out7)"
"$SHAKEDOWN" -q run -r "$S7/t" "$S7/title.yaml" >/dev/null 2>&1
md=$(cat "$S7/t/REPORT.md")
case "$md" in *"<script>"*|*"[x](http://e.test)"*) fail "REPORT.md: the title's HTML and link are escaped" "$(head -1 "$S7/t/REPORT.md")";; *) pass "REPORT.md: the title's HTML and link are escaped";; esac
eq "REPORT.md: no control character" 0 "$(tr -cd '\001-\010\013-\037' <"$S7/t/REPORT.md" | wc -c)"
python3 - "$S7/t/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["title"] = "x\u001b[31m<img src=x onerror=alert(1)>"
r["timeline"].append({"t_ms": 1, "event": "```\n# injected heading"})
json.dump(r, open(sys.argv[1], "w"))
PY
"$SHAKEDOWN" report "$S7/t" >"$S7/out" 2>&1
case "$(cat "$S7/t/REPORT.md")" in *"<img"*|*$'\n# injected'*) fail "a result.json's title and events cannot inject markup" ;; *) pass "a result.json's title and events cannot inject markup";; esac
eq "report: no raw ESC on the terminal" 0 "$(tr -cd '\033' <"$S7/out" | wc -c)"

# a merge of histograms whose counts would wrap, or in another unit
"$SHAKEDOWN" load --json -c 2 -d 1s "$TARGET/health" >"$S7/l1.json" 2>/dev/null
python3 - "$S7/l1.json" "$S7" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
h = j["histograms"]["corrected"]
h["buckets"] = [[1000, 9223372036854775000], [2000, 9223372036854775000]]
json.dump(j, open(sys.argv[2] + "/wrap.json", "w"))
j = json.load(open(sys.argv[1])); j["histograms"]["corrected"]["unit"] = "ms"
json.dump(j, open(sys.argv[2] + "/ms.json", "w"))
PY
eq "load --merge: counts that wrap: exit 2" 2 "$(rc_of "$SHAKEDOWN" load --merge "$S7/l1.json" "$S7/wrap.json")"
eq "load --merge: unit ms: exit 2" 2 "$(rc_of "$SHAKEDOWN" load --merge "$S7/l1.json" "$S7/ms.json")"
contains "and says which unit it reads" 'only "us"' "$(out7)"
eq "load --merge of a FIFO: exit 2 at once" 2 "$(rc_of timeout 5 "$SHAKEDOWN" load --merge "$S7/l1.json" "$S7/fifo.pid")"

# echoes are cut to a readable length
printf 'drill: x\nsteps:\n  - wait: %s\n' "$(head -c 4096 /dev/zero | tr '\0' 9)" >"$S7/long.yaml"
"$SHAKEDOWN" validate "$S7/long.yaml" >"$S7/out" 2>&1
le "a 4 KiB bad value: the message stays short ($(wc -c <"$S7/out") bytes)" "$(wc -c <"$S7/out")" 200
contains "and ends the echo with an ellipsis" "9…" "$(out7)"

# --- secrets ---
cat >"$S7/secret.yaml" <<YAML
drill: secret
target: $TARGET
probes:
  health: { get: "/health?token=TokSecret3&API_KEY=KeySecret4&x=1", every: 100ms, headers: { Authorization: "Bearer BearSecret5", X-Auth-Token: HdrSecret6, Cookie: "a=1; session=CookSecret7" } }
steps:
  - expect: { probe: health, status: 200 }
  - expect: { probe: health, status: 599, within: 200ms }
YAML
"$SHAKEDOWN" plan "$S7/secret.yaml" >"$S7/plan.out" 2>&1
"$SHAKEDOWN" run -r "$S7/sec" "$S7/secret.yaml" >"$S7/run.out" 2>&1
leaks=$(grep -rlE 'TokSecret3|KeySecret4|BearSecret5|HdrSecret6|CookSecret7' "$S7/plan.out" "$S7/run.out" "$S7/sec")
eq "secret query parameters and headers reach no output" "" "$leaks"
contains "the URL shows the parameter, hidden" "token=***&API_KEY=***&x=1" "$(cat "$S7/plan.out")"

# --- small ones, and whole names ---
contains "memory size=1 is one byte" "take 1 byte" "$(rc_of "$SHAKEDOWN" fault -n memory size=1 pid="$vic" scope=machine; out7)"
contains "memory percent=0% names percent" "percent: between 1% and 100%" "$(rc_of "$SHAKEDOWN" fault -n memory percent=0% pid="$vic"; out7)"
contains "partition route=#x names route:" "route: SOCKET#NAME" "$(rc_of "$SHAKEDOWN" fault -n partition route='#x'; out7)"
eq "'shakedown rec' does not reach recover: exit 2" 2 "$(rc_of "$SHAKEDOWN" rec)"
contains "and says why" "give its whole name" "$(out7)"
eq "'shakedown f' does not reach fault" 2 "$(rc_of "$SHAKEDOWN" f -n signal pid="$vic")"
ok "the victim is still alive" alive "$vic"
kill "$vic"
