#!/bin/sh
# patroni.sh DIR BASE up|down|stop|start|heal|primary|pause-sender|resume-sender
# A 2-node Patroni cluster on loopback, from Debian's packages (patroni,
# etcd-server, haproxy, PostgreSQL): etcd on BASE+500, nodes n1/n2 on
# BASE+531/532 (their REST APIs on BASE+541/542), HAProxy routing to the
# primary (Patroni's GET /primary) on BASE+550. PostgreSQL refuses root:
# Patroni runs as nobody. ttl 10, loop_wait 2, retry_timeout 4: a failover
# takes 10-13 s.
#   up       etcd, both nodes (n1 the first leader), HAProxy; wait for both
#   down     everything stopped, nothing left
#   stop     both nodes stopped (an outage of the whole cluster)
#   start    every node not running is started (what a drill's start runs)
#   heal     the same (what a failover drill's restart runs)
#   primary  the primary's port
#   pause-sender / resume-sender  SIGSTOP/SIGCONT the primary's WAL sender:
#            the replica then lags, and a crash loses acknowledged writes
set -u
D=$1 B=$2 cmd=$3
E=$((B + 500)) EP=$((B + 501)) H=$((B + 550))
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PY=/usr/bin/python3

node_port() { echo $((B + 530 + $1)); }
rest_port() { echo $((B + 540 + $1)); }

conf() {	# conf N: node N's Patroni config
	cat >"$D/n$1.yml" <<EOF
scope: sdtest-$B
name: n$1
restapi:
  listen: 127.0.0.1:$(rest_port "$1")
  connect_address: 127.0.0.1:$(rest_port "$1")
etcd:
  host: 127.0.0.1:$E
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 104857600
    postgresql:
      use_pg_rewind: true
      parameters: { wal_level: replica, hot_standby: "on", max_wal_senders: 5, max_replication_slots: 5 }
  initdb: [ { encoding: UTF8 }, { auth: trust } ]
  pg_hba:
  - host replication replicator 127.0.0.1/32 trust
  - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$(node_port "$1")
  connect_address: 127.0.0.1:$(node_port "$1")
  data_dir: $D/data$1
  bin_dir: $PGBIN
  pgpass: $D/pgpass$1
  authentication:
    replication: { username: replicator, password: rep }
    superuser: { username: postgres, password: pg }
    rewind: { username: rewinder, password: rw }
  parameters: { unix_socket_directories: "$D" }
EOF
	chown nobody "$D/n$1.yml"
}

running() { pgrep -f "patroni $D/n$1.yml" >/dev/null; }
start_node() {
	running "$1" && return 0
	setsid runuser -u nobody -- "$PY" /usr/bin/patroni "$D/n$1.yml" >>"$D/n$1.log" 2>&1 </dev/null &
}
stop_node() {	# TERM to Patroni stops its PostgreSQL too (fast shutdown)
	pkill -TERM -f "patroni $D/n$1.yml" 2>/dev/null
	for _ in $(seq 150); do running "$1" || break; sleep 0.1; done
	pkill -KILL -f "patroni $D/n$1.yml" 2>/dev/null
	pm=$(head -1 "$D/data$1/postmaster.pid" 2>/dev/null)
	[ -n "$pm" ] && kill -INT "$pm" 2>/dev/null
	for _ in $(seq 100); do [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null || break; sleep 0.1; done
}
role() {	# role N: t (primary), f (replica), or nothing
	psql -X -At "postgresql://postgres@127.0.0.1:$(node_port "$1")/postgres?connect_timeout=2" \
		-c "select not pg_is_in_recovery()" 2>/dev/null
}
primary_port() {
	for n in 1 2; do [ "$(role "$n")" = t ] && { node_port "$n"; return 0; }; done
	return 1
}

case $cmd in
up)
	mkdir -p "$D" && chown nobody "$D" && chmod 755 "$D"
	setsid etcd --name e1 --data-dir "$D/etcd" --listen-client-urls "http://127.0.0.1:$E" \
		--advertise-client-urls "http://127.0.0.1:$E" --listen-peer-urls "http://127.0.0.1:$EP" \
		--initial-advertise-peer-urls "http://127.0.0.1:$EP" \
		--initial-cluster "e1=http://127.0.0.1:$EP" --enable-v2=true --log-level warn \
		>"$D/etcd.log" 2>&1 </dev/null &
	echo $! >"$D/etcd.pid"
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$E/version" >/dev/null && break; sleep 0.1; done
	conf 1; conf 2
	start_node 1
	for _ in $(seq 300); do [ "$(role 1)" = t ] && break; sleep 0.1; done
	start_node 2
	for _ in $(seq 300); do [ "$(role 2)" = f ] && break; sleep 0.1; done
	cat >"$D/haproxy.cfg" <<EOF
global
  maxconn 200
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s
listen primary
  bind 127.0.0.1:$H
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
  server n1 127.0.0.1:$(node_port 1) check port $(rest_port 1)
  server n2 127.0.0.1:$(node_port 2) check port $(rest_port 2)
EOF
	setsid haproxy -f "$D/haproxy.cfg" -db >"$D/haproxy.log" 2>&1 </dev/null &
	echo $! >"$D/haproxy.pid"
	for _ in $(seq 100); do
		psql -X -At "postgresql://postgres@127.0.0.1:$H/postgres?connect_timeout=2" -c 'select 1' \
			>/dev/null 2>&1 && break
		sleep 0.1
	done
	[ "$(role 1)" = t ] && [ "$(role 2)" = f ]
	;;
down)
	kill "$(cat "$D/haproxy.pid" 2>/dev/null)" 2>/dev/null
	[ -s "$D/paused.pids" ] && kill -CONT $(cat "$D/paused.pids") 2>/dev/null
	stop_node 2; stop_node 1
	# whatever of the cluster outlived its postmaster (by its cluster name)
	pkill -CONT -f "postgres: sdtest-$B:" 2>/dev/null
	pkill -KILL -f "postgres: sdtest-$B:" 2>/dev/null
	kill "$(cat "$D/etcd.pid" 2>/dev/null)" 2>/dev/null
	for _ in $(seq 50); do pgrep -f "etcd --name e1 --data-dir $D/etcd" >/dev/null || break; sleep 0.1; done
	pkill -KILL -f "etcd --name e1 --data-dir $D/etcd" 2>/dev/null
	true
	;;
stop) stop_node 1; stop_node 2 ;;
start | heal) start_node 1; start_node 2; exit 0 ;;
primary) primary_port ;;
role) role "${4:?role N}" ;;	# t: primary, f: replica, nothing: down
streaming)	# how many replicas stream from the primary, caught up to its WAL
	p=$(primary_port) || { echo 0; exit 0; }
	psql -X -At "postgresql://postgres@127.0.0.1:$p/postgres?connect_timeout=2" -c \
		"select count(*) from pg_stat_replication where state = 'streaming'
		   and replay_lsn >= pg_current_wal_lsn() - 65536" 2>/dev/null || echo 0
	;;
pause-sender)
	p=$(primary_port) || exit 1
	ws=$(psql -X -At "postgresql://postgres@127.0.0.1:$p/postgres" -c 'select pid from pg_stat_replication')
	[ -n "$ws" ] || exit 1
	# the very processes stopped, for resume-sender: after a failover the
	# primary is another, and a walsender left stopped outlives its
	# postmaster, holding the shared memory a restart needs
	echo $ws >"$D/paused.pids"
	kill -STOP $ws
	;;
resume-sender)
	ws=$(cat "$D/paused.pids" 2>/dev/null) || exit 1
	kill -CONT $ws 2>/dev/null
	rm -f "$D/paused.pids"
	;;
*) echo "patroni.sh: unknown command $cmd" >&2; exit 2 ;;
esac
