#!/usr/bin/env bash
# Builds .venv with the locked dependency set; does nothing when the lock has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements.lock
stamp=.venv/.lock-sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
py=$(bash scripts/find-python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "==> Creating .venv with $py"
  rm -rf .venv
  "$py" -m venv .venv
fi
echo "==> Installing locked dependencies into .venv (first time: a few minutes)"
# Some machines' pip config names local index folders that may not exist; pip warns about each
# one for every package. Those lines are dropped; everything else (and the exit status) is kept.
quiet_pip() { .venv/bin/python -m pip "$@" 2>&1 | { grep -v "^WARNING: Location 'file://" || true; }; }
quiet_pip install --quiet --upgrade "pip<25" "setuptools==70.3.0" "wheel==0.45.1"
quiet_pip install --quiet --no-deps -r "$lock"
.venv/bin/python -m pip check
echo "$want" > "$stamp"
echo "==> .venv ready"
