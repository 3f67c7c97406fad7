#!/usr/bin/env bash
# run.sh — the integration suite: brings up its own sandbox (real PostgreSQL,
# Redis and the reference target) on its own ports, runs every t_*.sh against
# it, and takes everything down again whatever happens.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SHAKEDOWN:?set SHAKEDOWN to the binary}"
export SHAKEDOWN
# below the ephemeral range (32768-60999), where a client socket could own a
# port for a moment and a listener would fail to bind
BASE=${SD_TEST_PORT_BASE:-27000}
PG_PORT=$((BASE + 432)) REDIS_PORT=$((BASE + 379)) TARGET_PORT=$((BASE + 80))
PROXY_PORT=$((BASE + 84))	# the target reaches PostgreSQL here, Redis on +1
WORK=$(mktemp -d /tmp/shakedown-it.XXXXXX)
chmod 755 "$WORK"	# the unprivileged PostgreSQL user must reach it
SBX=$WORK/sandbox
TARGET=http://127.0.0.1:$TARGET_PORT
DB_URL="postgresql://shakedown@127.0.0.1:$PG_PORT/postgres?connect_timeout=2"
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
TARGET_PIDS=()
CLEANUPS=()	# functions a test adds: run whatever happens
export SHAKEDOWN_SANDBOX=$SBX
export SHAKEDOWN_STATE_DIR=$WORK/state	# the journal, never /var/lib
. "$here/lib.sh"

cleanup() {
	for f in "${CLEANUPS[@]}"; do "$f"; done
	for p in "${TARGET_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$SHAKEDOWN" -q sandbox --dir "$SBX" down >/dev/null 2>&1
	if [ "$FAIL" -gt 0 ] || [ -n "${SD_TEST_KEEP:-}" ]; then
		echo "logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! sbx --pg-port "$PG_PORT" --redis-port "$REDIS_PORT" --target-port "$TARGET_PORT" \
	--proxy-port "$PROXY_PORT" up; then
	echo "integration: sandbox did not come up" >&2
	exit 1
fi

only=${SD_TEST_ONLY:-}
TIMES=()
for t in "$here"/t_*.sh; do
	suite=$(basename "$t" .sh)
	[ -n "$only" ] && [[ "$suite" != *$only* ]] && continue
	echo "== $suite"
	suite_t0=$SECONDS
	. "$t"
	TIMES+=("$suite $((SECONDS - suite_t0))s")
done

echo
# where the time goes: make test should stay well under 20 minutes
echo "time per suite: ${TIMES[*]} (all: ${SECONDS}s)"
[ "$FAIL" -gt 0 ] && printf 'failed: %s\n' "${FAILED_NAMES[@]}"
echo "integration: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
