#!/usr/bin/env bash
# demo.sh — what `make demo` runs: bring the sandbox up, show it, show the
# target's /health, and take it down again (also on Ctrl-C or failure).
set -u
SD=${1:?usage: demo.sh PATH-TO-SHAKEDOWN}
export SHAKEDOWN_SANDBOX=${SHAKEDOWN_SANDBOX:-$PWD/.shakedown/demo}
trap '"$SD" -q sandbox down >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM

echo "== shakedown sandbox up"
"$SD" sandbox up || exit 1
echo
echo "== shakedown sandbox status"
"$SD" sandbox status || exit 1
echo
echo "== GET /health"
curl -s -m 5 "$("$SD" sandbox env | sed -n 's/^export SHAKEDOWN_TARGET=//p')/health"
echo
echo
echo "== shakedown sandbox down"
"$SD" sandbox down
trap - EXIT
