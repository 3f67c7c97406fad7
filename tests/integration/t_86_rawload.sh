# The load engine's raw-socket transport (plain http://) against every
# shape of answer it must read, side by side with its libcurl transport
# (SHAKEDOWN_LOAD_ENGINE=curl): the same counts, the same error classes,
# the same request bytes.
R=$WORK/rawload; mkdir -p "$R"
VP=$((BASE + 186))
python3 "$here/tools/httpvariants.py" "$VP" "$R/reqlog" >"$R/server.out" 2>&1 &
VPID=$!
TARGET_PIDS+=("$VPID")
wait_for 5 grep -q ready "$R/server.out" >/dev/null
V=http://127.0.0.1:$VP

# load ENGINE NAME ARGS...: one run, its JSON in $R/NAME.ENGINE.json
load() { local eng=$1 name=$2; shift 2
	SHAKEDOWN_LOAD_ENGINE=$eng "$SHAKEDOWN" load --json "$@" >"$R/$name.$eng.json" 2>"$R/$name.$eng.err"; }
# what a run says, in a line two engines must agree on
summary() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
e={k:v for k,v in j["errors_by_class"].items() if v}
st=sorted(j["status"])
print("requests>=%d" % min(j["requests"], 5), "status=" + ",".join(st),
      "errors=" + ("all" if j["errors"] == j["requests"] else str(j["errors"]) if j["errors"] == 0 else "some"),
      "classes=" + ",".join(sorted(e)), "retry_after=" + ("all" if j["retry_after"] == j["requests"] else str(j["retry_after"])))' "$1"; }

for v in "cl:status=200 errors=0" "chunked:status=200 errors=0" "eof:status=200 errors=0" \
	"close:status=200 errors=0" "big:status=200 errors=0" "r429:status=429 errors=0" \
	"r503:status=503 errors=all"; do
	p=${v%%:*} want=${v#*:}
	load raw "$p" -c 2 -d 700ms "$V/$p"
	load curl "$p" -c 2 -d 700ms "$V/$p"
	got=$(summary "$R/$p.raw.json")
	contains "raw engine, /$p: $want ($got)" "requests>=5 $want" "$got"
	eq "raw and libcurl agree on /$p" "$(summary "$R/$p.curl.json")" "$got"
done
# the server closes each kept-alive connection just after answering, and
# never reads what was sent on it meanwhile: each such request goes again on
# a fresh connection, so none is lost (libcurl retries only some of them:
# an RST that comes first is a recv error to it)
: >"$R/reqlog"
load raw idleclose -c 2 -d 700ms "$V/idleclose"
contains "a server closing idle keep-alive connections loses no request" "requests>=5 status=200 errors=0 " \
	"$(summary "$R/idleclose.raw.json")"
ge "... the requests went again on fresh connections ($(wc -l <"$R/reqlog"))" "$(wc -l <"$R/reqlog")" 5
eq "429 with Retry-After: every one counted" "retry_after=all" "$(summary "$R/r429.raw.json" | grep -o 'retry_after=[a-z0-9]*')"
load raw r429n -c 2 -d 500ms "$V/r429n"
eq "429 without Retry-After: none counted" "retry_after=0" "$(summary "$R/r429n.raw.json" | grep -o 'retry_after=[a-z0-9]*')"
load raw head -c 2 -d 500ms -m HEAD "$V/head"
contains "HEAD: the answer has no body whatever its Content-Length says" "status=200 errors=0" "$(summary "$R/head.raw.json")"

# failures, by class
load raw hang -c 2 -d 1s -T 300ms "$V/hang"
eq "no answer within -T: timeouts" ok "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["errors_by_class"]
print("ok" if c["timeout"] >= 2 and c["timeout"] == j["errors"] == j["requests"] else c)' "$R/hang.raw.json")"
load raw cut -c 2 -d 500ms "$V/cut"
eq "closed before a byte of answer on a fresh connection: reset" ok "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["errors_by_class"]
print("ok" if c["reset"] > 0 and c["reset"] == j["errors"] == j["requests"] else c)' "$R/cut.raw.json")"
eq "libcurl calls it the same" "$(summary "$R/cut.raw.json" | cut -d' ' -f2-)" "$(load curl cut -c 2 -d 500ms "$V/cut"; summary "$R/cut.curl.json" | cut -d' ' -f2-)"
load raw refused -c 2 -d 500ms "http://127.0.0.1:$((BASE + 187))/"
eq "refused: connect errors, backing off" ok "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["errors_by_class"]
print("ok" if 0 < c["connect"] == j["errors"] == j["requests"] < 200 else j["requests"])' "$R/refused.raw.json")"

# the request bytes: what libcurl sends, header for header
: >"$R/reqlog"
load raw echo -c 1 -u 3 -d 200ms -m POST -b 'q={n}&u={user}' -H 'X-Drill: user-{user}' "$V/echo?a=1"
load curl echo -c 1 -u 3 -d 200ms -m POST -b 'q={n}&u={user}' -H 'X-Drill: user-{user}' "$V/echo?a=1"
eq "raw sends what libcurl sends (request line, headers, body)" ok "$(python3 - "$R/reqlog" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
def parse(r):
    lines = r["head"].split("\r\n")
    h = {}
    for l in lines[1:]:
        if ":" in l:
            k, _, v = l.partition(":"); h[k.strip().lower()] = v.strip()
    return lines[0], h, r["body"]
a, b = parse(reqs[0]), parse(reqs[-1])
bad = []
if a[0] != b[0]: bad.append((a[0], b[0]))
for k in set(a[1]) | set(b[1]):
    if a[1].get(k) != b[1].get(k): bad.append((k, a[1].get(k), b[1].get(k)))
if a[2] != b[2] or a[2] != "q=0&u=1": bad.append(("body", a[2], b[2]))
if a[1].get("x-drill") != "user-1": bad.append("x-drill")
print("ok" if not bad and len(reqs) == 2 else (len(reqs), bad))
PY
)"
# Connection: close from the drill: a connection per request
: >"$R/reqlog"
load raw conn-close -c 2 -d 500ms -H 'Connection: close' "$V/cl"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$R/conn-close.raw.json")
conns=$(wc -l <"$R/reqlog")
ge "Connection: close in the request: each of $n requests on its own connection ($conns)" "$conns" "$((n > 2 ? n - 2 : n))"
: >"$R/reqlog"
load raw keepalive -c 2 -d 500ms "$V/cl"
le "keep-alive otherwise: 2 connections for $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$R/keepalive.raw.json") requests" "$(wc -l <"$R/reqlog")" 2

kill "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null
