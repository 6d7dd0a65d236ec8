#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 supports 3.8-3.10; this project is locked on 3.10).
# Looks, in order, at $PYTHON, a python3.10 on PATH that actually runs (pyenv's shim may refuse),
# and pyenv's installed versions. Exits 1 with install advice when there is none.
set -u
works() { [ -n "$1" ] && "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  works "$PYTHON" && { echo "$PYTHON"; exit 0; }
  echo "PYTHON=$PYTHON is not a working Python 3.10 (Rasa 3.6 needs 3.8-3.10; this project is locked on 3.10)." >&2
  exit 1
fi
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in "$root"/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if works "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
No working Python 3.10 found. Rasa 3.6 runs on Python 3.8-3.10 only; this project is locked on 3.10.
Install one, then run make again, for example:
  pyenv install 3.10.13          (with pyenv; the project finds it, no need to make it global)
  apt-get install python3.10 python3.10-venv   (where your distribution packages it)
or point the project at one:  make run PYTHON=/path/to/python3.10
MSG
exit 1
