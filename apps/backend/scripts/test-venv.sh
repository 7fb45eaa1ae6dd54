#!/usr/bin/env bash
# Prints the path of the backend's test virtualenv ($LOCALDEV_CACHE/apps/
# backend-venv), creating it from requirements-test.lock (hashes, wheels only)
# when missing or when the lock file or interpreter changed. Python 3.11 (what
# the image runs) or 3.12; set BACKEND_PYTHON to choose one. Progress goes to
# stderr, the path alone to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache="${LOCALDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/localdev-kube}"
venv="$cache/apps/backend-venv"
lock="$here/requirements-test.lock"

usable() { [ -x "$1" ] && "$1" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' 2>/dev/null; }
python="${BACKEND_PYTHON:-}"
if [ -n "$python" ]; then
  usable "$python" || { echo "ERROR: BACKEND_PYTHON=$python is not a Python 3.11/3.12 with venv+ensurepip" >&2; exit 1; }
else
  # Real interpreters only (pyenv shims may point at another version).
  for candidate in /usr/bin/python3.11 /usr/local/bin/python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python3.11 \
    /usr/bin/python3.12 /usr/local/bin/python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
    if usable "$candidate"; then python=$candidate; break; fi
  done
  [ -n "$python" ] || { echo "ERROR: no Python 3.11 or 3.12 with venv found; on Debian 12: apt-get install python3 python3-venv (or set BACKEND_PYTHON)" >&2; exit 1; }
fi

want="$(sha256sum "$lock" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> backend: building test venv with $python (lock changed or venv missing)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: --no-deps -r "$lock" >&2
  printf '%s\n' "$want" >"$venv/.stamp"
fi
printf '%s\n' "$venv"
