#!/usr/bin/env bash
# package/run.sh DEB — the Debian package used as it will be (make deb-test):
# installed with apt-get into a fresh Debian 12 made by debootstrap (a
# scratch root: the machine's own packages and state are never touched),
# then: only runtime libraries pulled, --version, the installed drills
# listed, the man page, the bash completion, a full sandbox up / run
# redis-outage / sandbox down with the installed binary, the GitHub Action's
# shell steps run as GitHub would (tests/package/action.py), removal refused
# while a fault is journaled, and a purge that leaves no file of shakedown's
# behind (/var/lib/shakedown included).
#
# Without a reachable Debian mirror (or with SD_DEB_TEST_HOST=1) the package
# is installed on this machine and purged after, as the issue allows.
# SD_DEB_ROOT_CACHE=FILE keeps the bare root as a tarball to start from
# next time (for people iterating; CI makes it fresh).
set -u
DEB=${1:?usage: run.sh PATH-TO-shakedown_VERSION_ARCH.deb}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PASS=0 FAIL=0 FAILED_NAMES=()
pass() { PASS=$((PASS + 1)); printf '  ok    %s\n' "$1"; }
fail() { FAIL=$((FAIL + 1)); FAILED_NAMES+=("$1"); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "$2"; return 0; }
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi; }
contains() { case "$3" in *"$2"*) pass "$1";; *) fail "$1" "'$2' not in: $(printf '%s' "$3" | head -c 400)";; esac; }
VERSION=$(sed -n '1s/^shakedown (\([^)]*\)).*/\1/p' "$top/debian/changelog")
MIRROR=${SD_DEB_MIRROR:-http://deb.debian.org/debian}
T0=$(date +%s)

ROOT=$(mktemp -d /var/tmp/shakedown-deb.XXXXXX)
chmod 755 "$ROOT"	# its / : every user in it must get past it
MOUNTS=()
root_pids() {	# the processes living in the scratch root
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && printf '%s ' "${p#/proc/}"
	done
}
cleanup() {
	# whatever a test left running in the root, then its mounts, then it
	if [ -n "${IN:-}" ]; then
		for p in $(root_pids); do kill -KILL "$p" 2>/dev/null; done
		sleep 0.5
		for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2>/dev/null; done
	fi
	if [ "$FAIL" -gt 0 ] && [ -n "${SD_TEST_KEEP:-}" ]; then
		echo "deb-test: kept $ROOT" >&2
	else
		rm -rf --one-file-system "$ROOT"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IN=""	# the prefix that runs a command in the scratch root
if [ -z "${SD_DEB_TEST_HOST:-}" ] && command -v debootstrap >/dev/null; then
	if [ -n "${SD_DEB_ROOT_CACHE:-}" ] && [ -s "$SD_DEB_ROOT_CACHE" ]; then
		tar -xpf "$SD_DEB_ROOT_CACHE" -C "$ROOT"
	elif debootstrap --variant=minbase --include=man-db,bash-completion,ca-certificates \
		bookworm "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1; then
		[ -n "${SD_DEB_ROOT_CACHE:-}" ] && tar -cpf "$SD_DEB_ROOT_CACHE" -C "$ROOT" .
	else
		echo "deb-test: debootstrap failed ($(tail -n 1 "$ROOT.log")): installing on this machine instead" >&2
		rm -rf --one-file-system "$ROOT"; mkdir -p "$ROOT"
	fi
	rm -f "$ROOT.log"
fi
if [ -x "$ROOT/bin/sh" ]; then
	chmod 755 "$ROOT"	# (a cached root's tar keeps mktemp's 700)
	IN="chroot $ROOT"
	for m in proc sys dev dev/pts; do
		mkdir -p "$ROOT/$m"
		case $m in
		proc) mount -t proc proc "$ROOT/proc" ;;
		sys) mount --rbind /sys "$ROOT/sys"; mount --make-rslave "$ROOT/sys" ;;
		dev) mount --bind /dev "$ROOT/dev" ;;
		dev/pts) mount --bind /dev/pts "$ROOT/dev/pts" ;;
		esac
		MOUNTS+=("$ROOT/$m")
	done
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# packages' services are not started in the scratch root
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"; chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	echo "== deb-test: a fresh Debian 12 by debootstrap in $ROOT ($(( $(date +%s) - T0 ))s)"
else
	echo "== deb-test: on this machine (no scratch root)"
fi
R=${ROOT}	# files the root sees at /X are at $R/X
[ -z "$IN" ] && R=""
run_in() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive $IN "$@"; }
sh_in() { run_in bash -c "$1"; }

# --- install: apt-get pulls what the package needs, nothing to build with ---
W=/srv/gameday	# a user's fresh directory
mkdir -p "$R$W" "$R/tmp/pkg" && chmod 755 "$R$W"
cp "$DEB" "$R/tmp/pkg/"
debname=/tmp/pkg/$(basename "$DEB")
sh_in 'find / -xdev -path "*shakedown*" 2>/dev/null | sort' >"$ROOT.before"
[ -n "$IN" ] && { run_in apt-get update -q >/dev/null 2>&1 || true; }
out=$(run_in apt-get install -y --no-install-suggests "$debname" 2>&1); rc=$?
eq "apt-get install ./$(basename "$DEB"): exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 15 | sed 's/^/        | /'
new=$(printf '%s\n' "$out" | awk '/^The following NEW packages will be installed:/ {f = 1; next}
	f && /^  / {print; next} f {f = 0}' | tr -s ' \n' '\n' | sed '/^$/d')
[ -n "$IN" ] && contains "... pulls its libraries (libpq5, libhiredis, libnl-route)" "libnl-route-3-200" "$new"
eq "... and no -dev package" "" "$(printf '%s\n' "$new" | grep -E -- '-dev$' | tr '\n' ' ')"
eq "... none installed at all" "" "$(run_in dpkg-query -W -f '${Package} ${Status}\n' 2>/dev/null |
	awk '$NF == "installed" && $1 ~ /-dev(:|$)/ {print $1}' | tr '\n' ' ')"
eq "shakedown --version: the changelog's" "shakedown $VERSION" "$(run_in shakedown --version 2>&1)"
out=$(run_in shakedown list /usr/share/shakedown/scenarios 2>&1)
contains "shakedown list /usr/share/shakedown/scenarios: redis-outage" "redis-outage" "$out"
eq "... every drill that ships, each valid" "$(ls "$top"/scenarios/*.yaml | wc -l)" "$(printf '%s\n' "$out" | grep -vc -e invalid -e '^$')"
contains "shakedown list with no argument finds them too" "postgres-outage" "$(sh_in 'cd /srv && shakedown list' 2>&1)"
contains "man shakedown" "SYNOPSIS" "$(run_in man -P cat shakedown 2>/dev/null)"
contains "man shakedown-run" "--baseline" "$(run_in man -P cat shakedown-run 2>/dev/null | sed 's/‐/-/g')"
contains "man 5 shakedown-scenario" "steady" "$(run_in man -P cat 5 shakedown-scenario 2>/dev/null)"
eq "the examples, not gzipped" "ok" "$(sh_in 'test -s /usr/share/doc/shakedown/examples/github-gameday.yml && echo ok')"
if [ -n "$IN" ] || [ -f /usr/share/bash-completion/bash_completion ]; then
	comp=$(sh_in '. /usr/share/bash-completion/bash_completion
	. /usr/share/bash-completion/completions/shakedown
	c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	      COMPREPLY=(); _shakedown shakedown "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}" 2>/dev/null
	      echo "${COMPREPLY[*]}"; }
	echo "cmd: $(c shakedown sa)"; echo "opt: $(c shakedown run --fail)"
	echo "drill: $(c shakedown run /usr/share/shakedown/scenarios/redis)"
	echo "kind: $(c shakedown fault net)"; echo "key: $(c shakedown fault netem del)"' 2>&1)
	contains "completion: commands" "cmd: sandbox" "$comp"
	contains "completion: a command's options" "opt: --fail-on-regression" "$comp"
	contains "completion: the installed drills" "drill: /usr/share/shakedown/scenarios/redis-outage.yaml" "$comp"
	contains "completion: fault kinds" "kind: netem" "$comp"
	contains "completion: a kind's keys" "key: delay=" "$comp"
	# a drill's file name is data, never code: TAB must not run it
	sh_in 'touch "/usr/share/shakedown/scenarios/\$(touch\${IFS}PWNED).yaml" "/usr/share/shakedown/scenarios/two words.yaml"'
	comp=$(sh_in 'cd /tmp && . /usr/share/bash-completion/bash_completion
	. /usr/share/bash-completion/completions/shakedown
	COMP_WORDS=(shakedown run /usr/share/shakedown/scenarios/); COMP_CWORD=2
	COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	_shakedown shakedown /usr/share/shakedown/scenarios/ run 2>/dev/null
	printf "<%s>\n" "${COMPREPLY[@]}"' 2>&1)
	eq "completion: a drill named \$(touch\${IFS}PWNED).yaml runs nothing on TAB" no "$(sh_in 'test -e /tmp/PWNED && echo yes || echo no')"
	contains "completion: ... and is offered as the name it is" '<'"/usr/share/shakedown/scenarios/\$(touch\${IFS}PWNED).yaml>" "$comp"
	contains "completion: a name with a space stays one" "</usr/share/shakedown/scenarios/two words.yaml>" "$comp"
	sh_in 'rm -f /tmp/PWNED "/usr/share/shakedown/scenarios/\$(touch\${IFS}PWNED).yaml" "/usr/share/shakedown/scenarios/two words.yaml"'
fi

# --- a drill with the installed binary, as the README says ---
for p in 25432 26379 28080 28084 28085; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		fail "port $p is free for the sandbox (something else listens there)"
	fi
done
out=$(sh_in "cd $W && shakedown sandbox up && shakedown run -r report /usr/share/shakedown/scenarios/redis-outage.yaml; rc=\$?; shakedown sandbox down; exit \$rc" 2>&1); rc=$?
eq "sandbox up && run redis-outage.yaml && sandbox down: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 25 | sed 's/^/        | /'
contains "... PASS" "PASS" "$out"
eq "... its report" "ok" "$(sh_in "test -s $W/report/REPORT.md && test -s $W/report/junit.xml && echo ok")"
[ -n "$IN" ] && eq "... nothing left running in the root" "" "$(root_pids)"

# --- the GitHub Action, its shell steps as GitHub runs them ---
mkdir -p "$R/action" "$R/ws"
cp "$top/action.yml" "$R/action/"
python3 "$here/action.py" "$top/action.yml" --root "${ROOT:-/}" --in "$IN" \
	--input deb="$debname" --input drills=redis-outage --input sandbox=true \
	--workspace /ws --action-path /action --expect-exit 0 --expect-summary redis-outage --expect-files \
	shakedown-report/REPORT.md,shakedown-report/junit.xml,shakedown-report/result.json
rc=$?; [ "$rc" = 0 ] && pass "the action: install, sandbox, redis-outage, reports, exit 0 (its steps: above)" ||
	fail "the action: install, sandbox, redis-outage, reports, exit 0"
python3 "$here/action.py" "$top/action.yml" --root "${ROOT:-/}" --in "$IN" \
	--input deb="$debname" --input drills=no-such-drill --workspace /ws2 --action-path /action \
	--expect-exit 2 >/dev/null
rc=$?; [ "$rc" = 0 ] && pass "the action exits with shakedown's code (2: no such drill)" ||
	fail "the action exits with shakedown's code (2: no such drill)"

# --- removal refused while a fault is journaled ---
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root $IN bash -c \
	"cd $W && exec shakedown -q fault --for 5m proxy listen=127.0.0.1:28090 upstream=127.0.0.1:28091 latency=1ms" \
	>/dev/null 2>&1 &
HOLD=$!
for i in $(seq 50); do sh_in 'shakedown status >/dev/null 2>&1' || break; sleep 0.1; done
out=$(run_in apt-get purge -y shakedown 2>&1); rc=$?
eq "apt-get purge while a fault is applied: refused" 100 "$rc"
contains "... saying which" "1 fault(s) still applied" "$out"
contains "... and what to do" "shakedown recover" "$out"
printf '%s\n' "$out" | grep -i -e shakedown -e fault | sed 's/^/        | /'
eq "... still installed" "shakedown $VERSION" "$(run_in shakedown --version 2>&1)"
kill -INT "$HOLD" 2>/dev/null	# env, chroot and bash exec'd it: Ctrl-C
wait "$HOLD" 2>/dev/null
eq "the fault ended (Ctrl-C) and reverted: nothing journaled" 0 "$(sh_in 'shakedown -q status >/dev/null 2>&1; echo $?')"

# --- purge: nothing of shakedown's is left ---
sh_in 'dpkg -L shakedown' >"$ROOT.files" 2>/dev/null
out=$(run_in apt-get purge -y shakedown 2>&1); rc=$?
eq "apt-get purge shakedown: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 10 | sed 's/^/        | /'
eq "... not installed any more" "" "$(run_in dpkg-query -W -f '${Status}\n' shakedown 2>/dev/null | grep -v not-installed)"
left=""
while read -r f; do
	case $f in /usr | /usr/bin | /usr/share | /usr/share/doc | /usr/share/man | /usr/share/man/man? | \
		/usr/share/bash-completion | /usr/share/bash-completion/completions | /.) continue ;; esac
	[ -e "$R$f" ] && left="$left $f"
done <"$ROOT.files"
eq "... every file it installed is gone ($(wc -l <"$ROOT.files") listed)" "" "$left"
eq "... /var/lib/shakedown (the journal) too" "no" "$(sh_in 'test -e /var/lib/shakedown && echo yes || echo no')"
sh_in 'find / -xdev -path "*shakedown*" 2>/dev/null | sort' >"$ROOT.after"
# (man-db's cache of the pages 'man' showed above is man-db's, cleaned by
# its own cron job, as for any package)
eq "... no path named shakedown left but the user's game-day folders" "" \
	"$(comm -13 "$ROOT.before" "$ROOT.after" | grep -v -e "^$W" -e '^/ws' -e '^/tmp/pkg' -e '^/action' \
		-e '^/var/cache/man/' | tr '\n' ' ')"
rm -f "$ROOT.before" "$ROOT.after" "$ROOT.files"

echo
echo "time: $(( $(date +%s) - T0 ))s"
echo "deb-test: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] || { printf '  failed: %s\n' "${FAILED_NAMES[@]}"; exit 1; }
