#!/usr/bin/env bash
# Regenerates the hashed lock files from pyproject.toml with uv (installed in
# the user cache on first use). Run after changing a dependency range:
#   apps/backend/scripts/lock.sh [--upgrade]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache="${LOCALDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/localdev-kube}"
uv_venv="$cache/tools/uv"
if [ ! -x "$uv_venv/bin/uv" ]; then
  python3 -m venv "$uv_venv"
  "$uv_venv/bin/pip" install --quiet "uv==0.13.8"
fi
cd "$here"
common=(--universal --python-version 3.11 --generate-hashes --quiet
  --custom-compile-command "apps/backend/scripts/lock.sh" "$@")
"$uv_venv/bin/uv" pip compile "${common[@]}" pyproject.toml -o requirements.lock
"$uv_venv/bin/uv" pip compile "${common[@]}" --extra test pyproject.toml -o requirements-test.lock
