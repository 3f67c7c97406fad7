#!/usr/bin/env bash
# demo.sh — what `make demo` runs: bring the sandbox up, run the shipped
# drills against it, print their verdicts and measured times, write the
# reports under reports/demo/, and take the sandbox down again (also on
# Ctrl-C or failure).
set -u
SD=${1:?usage: demo.sh PATH-TO-SHAKEDOWN}
top=$(cd "$(dirname "$0")/.." && pwd)
export SHAKEDOWN_SANDBOX=${SHAKEDOWN_SANDBOX:-$top/.shakedown/demo}
out=$top/reports/demo
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
echo "== shakedown run -r reports/demo scenarios/*.yaml"
rm -rf "$out"
cd "$top" && "$SD" run -r "$out" scenarios/*.yaml
rc=$?
echo
echo "== shakedown sandbox down"
"$SD" sandbox down
trap - EXIT
echo
echo "reports: $out/SUMMARY.md (one REPORT.md with its timeline.svg, result.json and junit.xml per drill)"
exit $rc
