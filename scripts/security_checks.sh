#!/usr/bin/env bash
# Security checks for CI (TARGETS S10, S11): bandit over the application, and a dependency
# audit that fails closed. An audit that could not reach its service is reported as
# "SKIPPED, NOT PASSED" and does not turn CI red; a finding or a failed audit does.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
status=0

echo "== bandit (dialogue, rounds, analysis, gunicorn.conf.py) =="
if "$BIN/bandit" -q -r dialogue rounds analysis gunicorn.conf.py; then
    bandit_result="passed"
else
    bandit_result="FAILED"
    status=1
fi

echo "== dependency audit (pip-audit --strict -r requirements.txt) =="
"$BIN/python" scripts/audit_deps.py
case $? in
    0) audit_result="passed" ;;
    3) audit_result="SKIPPED, NOT PASSED (no network: nothing was audited)" ;;
    *) audit_result="FAILED"; status=1 ;;
esac

echo "security: bandit ${bandit_result}; dependency audit ${audit_result}"
exit "$status"
