# https with a company CA: a local nginx (Debian's) with a certificate our
# own test CA signed, and a second server that requires a client
# certificate. probe and load (both engines) trust the CA file, present a
# client certificate, and fail clearly and cheaply without the CA; the raw
# engine resumes TLS sessions; a drill's tls: reaches its probes, loads and
# bursts, and insecure: is said loudly; a drill against a PostgreSQL that
# only takes TLS (sslmode=verify-full in the URL, libpq's own) passes;
# rediss:// is refused with a reason.
X=$WORK/tls; mkdir -p "$X/logs"
P1=$((BASE + 443)) P2=$((BASE + 444)) PGS=$((BASE + 433))
(
	cd "$X" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj "/CN=shakedown test CA" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem \
		-days 2 -subj "/CN=another CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
		-subj "/CN=localhost" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out srv.pem -days 2 -extfile san.ext 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr \
		-subj "/CN=drill client" 2>/dev/null
	openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out cli.pem -days 2 2>/dev/null
)
cat >"$X/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $X/nginx.pid;
error_log $X/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  ssl_session_cache shared:SSL:1m;
  server {
    listen 127.0.0.1:$P1 ssl;
    ssl_certificate $X/srv.pem; ssl_certificate_key $X/srv.key;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
  server {
    listen 127.0.0.1:$P2 ssl;
    ssl_certificate $X/srv.pem; ssl_certificate_key $X/srv.key;
    ssl_client_certificate $X/ca.pem; ssl_verify_client on;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
NGINX
nginx -p "$X" -c "$X/nginx.conf" 2>>"$X/logs/error.log" &
NGINX_PID=$!
stop_tls_nginx() { kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; }
CLEANUPS+=(stop_tls_nginx)
U1=https://127.0.0.1:$P1 U2=https://127.0.0.1:$P2
wait_for 10 curl -sf --cacert "$X/ca.pem" "$U1/" >/dev/null
ok "nginx with the test CA's certificate answers" curl -sf --cacert "$X/ca.pem" "$U1/"

# --- probe and load on the command line ---
out=$("$SHAKEDOWN" probe -c 2 --cacert "$X/ca.pem" "$U1/" 2>&1)
contains "probe --cacert: 200" ' 200 status="ok"' "$out"
out=$("$SHAKEDOWN" probe -c 1 "$U1/" 2>&1)
contains "probe without the CA: no answer, and why" "no answer (SSL peer certificate" "$out"
out=$("$SHAKEDOWN" load -t1 -c10 -d1s --cacert "$X/ca.pem" "$U1/" 2>&1)
contains "load --cacert (raw engine): answers" "Status: 200=" "$out"
contains "... no errors" " 0 errors" "$out"
hs=$(sed -n 's/^TLS: \([0-9]*\) handshake(s).*/\1/p' <<<"$out")
ge "... its handshakes counted (${hs:-none}, one a connection)" "${hs:-0}" 10
out=$("$SHAKEDOWN" load -t1 -c5 -d1s --cacert "$X/ca.pem" -H "Connection: close" "$U1/" 2>&1)
resumed=$(sed -n 's/^TLS: \([0-9]*\) handshake(s), \([0-9]*\) resumed.*/\2/p' <<<"$out")
ge "a new connection resumes the last session (${resumed:-0} resumed)" "${resumed:-0}" 10
# more connections than one thread lets handshake at once (256): the rest
# wait their turn, and their wait is not counted as the service's
"$SHAKEDOWN" load -t1 -c600 -d3s -T 5s --cacert "$X/ca.pem" --json "$U1/" >"$X/many.json" 2>&1
eq "600 connections on one thread: every one handshakes" 600 "$(jfield tls.handshakes <"$X/many.json")"
eq "... and none times out waiting its turn" 0 "$(jfield errors <"$X/many.json")"
out=$(SHAKEDOWN_LOAD_ENGINE=curl "$SHAKEDOWN" load -t1 -c5 -d1s --cacert "$X/ca.pem" "$U1/" 2>&1)
contains "load --cacert (libcurl engine): answers" "Status: 200=" "$out"
out=$("$SHAKEDOWN" load -t1 -c5 -d1s --cacert "$X/ca.pem" --cert "$X/cli.pem" --key "$X/cli.key" "$U2/" 2>&1)
contains "a client certificate where one is required: 200" "Status: 200=" "$out"
out=$("$SHAKEDOWN" load -t1 -c5 -d1s --cacert "$X/ca.pem" "$U2/" 2>&1)
contains "without it: the server's 400" "Status: 400=" "$out"
# the wrong CA: every handshake fails, backed off, said once, cheap
cpu=$(python3 - "$SHAKEDOWN" "$X/other.pem" "$U1/" "$X/bad.out" <<'PY'
import resource, subprocess, sys
with open(sys.argv[4], "w") as f:
    subprocess.run([sys.argv[1], "load", "-t1", "-c50", "-d2s", "--cacert", sys.argv[2], sys.argv[3]],
                   stdout=f, stderr=subprocess.STDOUT)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f" % (r.ru_utime + r.ru_stime))
PY
)
contains "the wrong CA: every request a tls error" "Errors: tls=" "$(cat "$X/bad.out")"
contains "... and why, once" "TLS failed: certificate verify failed: unable to get local issuer certificate" "$(cat "$X/bad.out")"
le "... backed off: 2s of 50 failing connections cost ${cpu}s of CPU" "$cpu" 1.0
eq "load --cacert with a file that is not there: exit 2" 2 "$("$SHAKEDOWN" load --cacert "$X/nope.pem" "$U1/" >/dev/null 2>&1; echo $?)"
out=$("$SHAKEDOWN" load -t1 -c2 -d1s --insecure "$U1/" 2>&1)
contains "load --insecure: answers" "Status: 200=" "$out"
contains "... and says it verified nothing" "NOT verified" "$out"

# --- a drill's tls: its probes, its load, its burst ---
cat >"$X/drill.yaml" <<YAML
drill: tls-drill
target: $U1
tls: { ca: "\${TLS_CA}" }
probes:
  health: { get: /, every: 100ms }
  client: { get: "$U2/", every: 200ms, tls: { ca: "$X/ca.pem", cert: "$X/cli.pem", key: "$X/cli.key" } }
load:
  main: { get: /, connections: 4, rate: 100/s }
steady:
  - { probe: health, status: 200 }
  - { probe: client, status: 200 }
steps:
  - wait: 1s
  - burst: { get: /, users: 2, per_user: 2, concurrent: false, expect: { accepted_per_user: 2 } }
  - expect: { load: main, errors: "< 1%", requests: ">= 50" }
YAML
TLS_CA=$X/ca.pem "$SHAKEDOWN" run -r "$X/d1" "$X/drill.yaml" >"$X/d1.out" 2>&1
eq "a drill with tls: { ca: } at its top: PASS (probes, load, burst)" 0 $?
contains "plan: the probe's tls" "tls: CA $X/ca.pem, client certificate $X/cli.pem" "$(TLS_CA=$X/ca.pem "$SHAKEDOWN" plan "$X/drill.yaml")"
TLS_CA=$X/other.pem "$SHAKEDOWN" run "$X/drill.yaml" >"$X/d2.out" 2>&1
eq "the wrong CA: not steady before, nothing applied (ERROR, exit 1)" 1 $?
contains "... saying why" "SSL peer certificate" "$(cat "$X/d2.out")"
sed 's|^tls: { ca: "${TLS_CA}" }|tls: { insecure: true }|' "$X/drill.yaml" >"$X/insecure.yaml"
"$SHAKEDOWN" run -r "$X/d3" "$X/insecure.yaml" >"$X/d3.out" 2>&1
eq "insecure: true: PASS" 0 $?
contains "... REPORT.md says it loudly" "TLS certificates were not verified" "$(cat "$X/d3/REPORT.md")"
contains "... naming what" "probe health, load main, the burst of step 2" "$(cat "$X/d3/REPORT.md")"
contains "... so does the plan" "INSECURE: certificates are not verified" "$("$SHAKEDOWN" plan "$X/insecure.yaml")"
contains "... the terminal's verdict line" "INSECURE TLS: certificates not verified for probe health" "$(head -n 3 "$X/d3.out")"
contains "... junit.xml" "INSECURE TLS: certificates not verified" "$(cat "$X/d3/junit.xml")"
GITHUB_STEP_SUMMARY=$X/summary.md "$SHAKEDOWN" -q run "$X/insecure.yaml" >/dev/null 2>&1
contains "... the job summary" "insecure TLS: not verified" "$(cat "$X/summary.md")"

# --- the key and CA files: read once, bounded, never waited on, never a
# prompt (issue 36) ---
(cd "$X" && openssl rsa -in cli.key -aes256 -passout pass:s3cret-key -out cli-enc.key 2>/dev/null)
mkfifo "$X/ca.fifo"
sed "s|^tls: { ca: \"\${TLS_CA}\" }|tls: { ca: \"$X/ca.fifo\" }|" "$X/drill.yaml" >"$X/fifo.yaml"
t0=$(now_ms); out=$(timeout 20 "$SHAKEDOWN" run "$X/fifo.yaml" 2>&1); rc=$?
eq "tls: { ca: FIFO }: run exits 2, applies nothing" 2 "$rc"
contains "... saying what it is" "tls ca: $X/ca.fifo: not a regular file (a FIFO)" "$out"
le "... at once ($(( $(now_ms) - t0 ))ms)" "$(( $(now_ms) - t0 ))" 5000
eq "validate sees it too" 2 "$(timeout 20 "$SHAKEDOWN" validate "$X/fifo.yaml" >/dev/null 2>&1; echo $?)"
eq "probe --cacert FIFO: exit 2 at once" 2 "$(timeout 20 "$SHAKEDOWN" probe -c 1 --cacert "$X/ca.fifo" "$U1/" >/dev/null 2>&1; echo $?)"
eq "load --cacert FIFO: exit 2 at once" 2 "$(timeout 20 "$SHAKEDOWN" load -d1s --cacert "$X/ca.fifo" "$U1/" >/dev/null 2>&1; echo $?)"
eq "load --cacert /dev/zero: exit 2" 2 "$(timeout 20 "$SHAKEDOWN" load -d1s --cacert /dev/zero "$U1/" >/dev/null 2>&1; echo $?)"
printf 'not a certificate\n' >"$X/junk.pem"
out=$(timeout 20 "$SHAKEDOWN" probe -c 1 --cacert "$X/junk.pem" "$U1/" 2>&1)
contains "a CA file with no certificate in it: said" "holds no PEM certificate" "$out"
# an encrypted key: with stdin held open (a prompt would wait on it)
mkfifo "$X/stdin.fifo"; sleep 60 >"$X/stdin.fifo" & HOLD=$!
t0=$(now_ms)
out=$(timeout 20 "$SHAKEDOWN" probe -c 1 --cacert "$X/ca.pem" --cert "$X/cli.pem" --key "$X/cli-enc.key" "$U2/" <"$X/stdin.fifo" 2>&1); rc=$?
eq "probe --key ENCRYPTED without a passphrase: exit 2, no prompt" 2 "$rc"
contains "... saying how to give it" "the key is encrypted: set key_password or \$SHAKEDOWN_TLS_KEY_PASSWORD" "$out"
le "... at once ($(( $(now_ms) - t0 ))ms)" "$(( $(now_ms) - t0 ))" 5000
sed "s|cert: \"$X/cli.pem\", key: \"$X/cli.key\"|cert: \"$X/cli.pem\", key: \"$X/cli-enc.key\", key_password: \"\${KEYPW-}\"|" "$X/drill.yaml" >"$X/enc.yaml"
out=$(TLS_CA=$X/ca.pem timeout 30 "$SHAKEDOWN" run "$X/enc.yaml" <"$X/stdin.fifo" 2>&1); rc=$?
eq "a drill's encrypted key without key_password: exit 2 before anything runs" 2 "$rc"
contains "... the same reason, at its line" "key: the key is encrypted: set key_password" "$out"
out=$(KEYPW=wrong TLS_CA=$X/ca.pem timeout 30 "$SHAKEDOWN" validate "$X/enc.yaml" 2>&1)
contains "... a wrong key_password: said" "key_password does not open it" "$out"
KEYPW=s3cret-key TLS_CA=$X/ca.pem timeout 60 "$SHAKEDOWN" run -r "$X/enc" "$X/enc.yaml" <"$X/stdin.fifo" >"$X/enc.out" 2>&1
eq "... with key_password: PASS (the client certificate's probe answered 200)" 0 $?
out=$(SHAKEDOWN_TLS_KEY_PASSWORD=s3cret-key timeout 20 "$SHAKEDOWN" probe -c 1 --cacert "$X/ca.pem" --cert "$X/cli.pem" --key "$X/cli-enc.key" "$U2/" <"$X/stdin.fifo" 2>&1)
contains "probe with \$SHAKEDOWN_TLS_KEY_PASSWORD: 200" " 200 " "$out"
out=$(SHAKEDOWN_TLS_KEY_PASSWORD=s3cret-key timeout 20 "$SHAKEDOWN" load -t1 -c2 -d1s --cacert "$X/ca.pem" --cert "$X/cli.pem" --key "$X/cli-enc.key" "$U2/" <"$X/stdin.fifo" 2>&1)
contains "load with it: 200s" "Status: 200=" "$out"
ok "... and the passphrase printed nowhere" bash -c "! grep -rq s3cret-key '$X/enc' '$X/enc.out'"
kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null
# a server that accepts and never finishes a handshake: what is still in
# flight at the end is counted and said, and nothing answered is exit 1
python3 -c 'import socket,time,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(64); s.settimeout(0.2); c=[]; end=time.time()+8
while time.time()<end:
  try: c.append(s.accept()[0])
  except OSError: pass' $((BASE + 445)) & MUTE=$!
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((BASE + 445))" >/dev/null
out=$(timeout 20 "$SHAKEDOWN" load -t1 -c4 -d1s --insecure "https://127.0.0.1:$((BASE + 445))/" 2>&1); rc=$?
contains "load against a handshake that never ends: the requests in flight said" "4 request(s) still in flight at the end, never answered" "$out"
eq "... and a run that measured nothing exits 1" 1 "$rc"
kill "$MUTE" 2>/dev/null; wait "$MUTE" 2>/dev/null

# --- PostgreSQL over TLS only (libpq's sslmode, in the URL) ---
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ "$(id -u)" = 0 ] && [ -x "$PGBIN/postgres" ]; then
	D=$X/pgssl; mkdir -p "$D"; chown nobody "$D"
	runuser -u nobody -- "$PGBIN/initdb" -D "$D/data" -U shakedown --auth=trust \
		--no-sync >/dev/null 2>&1
	cp "$X/srv.pem" "$X/srv.key" "$D/data/"
	chown nobody "$D/data/srv.pem" "$D/data/srv.key"; chmod 600 "$D/data/srv.key"
	printf 'hostssl all all 127.0.0.1/32 trust\n' >"$D/data/pg_hba.conf"
	# its own session: runuser hands a signal on to its whole group
	setsid runuser -u nobody -- "$PGBIN/postgres" -D "$D/data" -p "$PGS" \
		-c listen_addresses=127.0.0.1 -c unix_socket_directories= -c ssl=on \
		-c ssl_cert_file=srv.pem -c ssl_key_file=srv.key >"$D/log" 2>&1 &
	PGS_PID=$!
	# SIGINT to the postmaster itself (runuser does not pass it on): its
	# fast shutdown
	stop_pgssl() { kill -INT "$(head -1 "$D/data/postmaster.pid" 2>/dev/null)" \
		2>/dev/null; wait "$PGS_PID" 2>/dev/null; }
	CLEANUPS+=(stop_pgssl)
	PGURL="postgresql://shakedown@127.0.0.1:$PGS/postgres?sslmode=verify-full&sslrootcert=$X/ca.pem"
	wait_for 15 psql "$PGURL" -Atc 'select 1' >/dev/null
	eq "a PostgreSQL that takes TLS only refuses plain connections" "" \
		"$(psql "postgresql://shakedown@127.0.0.1:$PGS/postgres?sslmode=disable" -Atc 'select 1' 2>/dev/null)"
	cat >"$X/pg.yaml" <<YAML
drill: pg-tls
services:
  db: { kind: postgres, url: "$PGURL" }
steps:
  - terminate-backends: db
  - hold-connections: { service: db, count: 3 }
  - wait: 500ms
YAML
	# an application's session over TLS, for terminate-backends to end (one
	# that ends none did not land: INVALID)
	psql "$PGURL" -Atc 'select pg_sleep(20)' >/dev/null 2>&1 & APPSESS=$!
	wait_for 5 test "$(psql "$PGURL" -Atc "select count(*) from pg_stat_activity where query like 'select pg_sleep%'")" = 1 >/dev/null
	"$SHAKEDOWN" run -r "$X/pg" "$X/pg.yaml" >"$X/pg.out" 2>&1
	eq "a drill against it, sslmode=verify-full in the URL: PASS" 0 $?
	[ -n "$(unconfirmed "$X/pg")" ] && show_out "$X/pg.out"
	kill "$APPSESS" 2>/dev/null; wait "$APPSESS" 2>/dev/null
	contains "... it held its connections (over TLS: there is no other way in)" "holding 3 connection(s)" "$(cat "$X/pg/REPORT.md")"
	stop_pgssl
else
	echo "  skip  PostgreSQL over TLS: needs root and Debian's PostgreSQL"
fi

# --- rediss:// ---
printf 'drill: r\nservices:\n  c: { kind: redis, url: "rediss://127.0.0.1:6380" }\nsteps:\n  - pause: { service: c, for: 1s }\n' >"$X/rediss.yaml"
out=$("$SHAKEDOWN" validate "$X/rediss.yaml" 2>&1); rc=$?
eq "rediss://: exit 2" 2 "$rc"
contains "... saying why" "Debian 12's hiredis has no TLS" "$out"
stop_tls_nginx
