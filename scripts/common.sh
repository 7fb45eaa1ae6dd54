# shellcheck shell=bash
# Shared settings for the project's shell scripts (sourced, not run).
# Caches live in a user-level directory so a fresh clone reuses them.
LOCALDEV_CACHE="${LOCALDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/localdev-kube}"
LOCALDEV_VENV="${LOCALDEV_VENV:-$LOCALDEV_CACHE/venv}"
LOCALDEV_BIN="$LOCALDEV_CACHE/bin"
export LOCALDEV_CACHE LOCALDEV_VENV LOCALDEV_BIN

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
