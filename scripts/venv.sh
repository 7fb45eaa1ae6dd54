#!/usr/bin/env bash
# Creates the controller virtualenv (Python >= 3.12) in the user cache
# directory and installs the pinned requirements files given as arguments.
# A second run with unchanged requirements does nothing.
#   scripts/venv.sh requirements.txt [requirements-test.txt]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/scripts/common.sh"

runs_and_is_new_enough() {
  "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

find_python() {
  local candidate
  # Real interpreters first; pyenv shims for versions that are not selected
  # exist on PATH but fail when run, so each candidate is run before use.
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && runs_and_is_new_enough "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in $(printf '%s\n' "$root"/versions/3.1[2-9]* | sort -rV); do
    if runs_and_is_new_enough "$candidate/bin/python3"; then
      echo "$candidate/bin/python3"; return 0
    fi
  done
  return 1
}

[ $# -gt 0 ] || die "usage: scripts/venv.sh REQUIREMENTS_FILE..."
stamp_value=$(cd "$here" && cat requirements.txt "$@" | sha256sum | cut -c1-16)
stamp="$LOCALDEV_VENV/.localdev-requirements-$stamp_value"

if [ -x "$LOCALDEV_VENV/bin/python" ] && ! runs_and_is_new_enough "$LOCALDEV_VENV/bin/python"; then
  log "virtualenv $LOCALDEV_VENV is broken or too old: recreating it"
  rm -rf "$LOCALDEV_VENV"
fi
if [ ! -x "$LOCALDEV_VENV/bin/python" ]; then
  python=$(find_python) || die "Python 3.12 or newer is needed for ansible-core 2.21.
  Install one (Debian/Ubuntu: apt install python3.12 python3.12-venv; macOS: brew install python@3.13;
  or pyenv install 3.13) and run this again."
  log "creating virtualenv $LOCALDEV_VENV with $python"
  mkdir -p "$(dirname "$LOCALDEV_VENV")"
  "$python" -m venv "$LOCALDEV_VENV"
fi
if [ -e "$stamp" ]; then
  log "virtualenv $LOCALDEV_VENV is up to date: nothing to do"
  exit 0
fi
log "installing $* into $LOCALDEV_VENV"
reqs=()
for file in "$@"; do reqs+=(-r "$here/$file"); done
"$LOCALDEV_VENV/bin/python" -m pip install --quiet --upgrade pip
"$LOCALDEV_VENV/bin/python" -m pip install --quiet "${reqs[@]}"
touch "$stamp"
