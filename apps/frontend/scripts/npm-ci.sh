#!/usr/bin/env bash
# Installs apps/frontend/node_modules exactly as package-lock.json says (npm ci),
# with npm's download cache in $LOCALDEV_CACHE/npm. Skips the reinstall when
# node_modules was made by `npm ci` from this very lock file with this Node.
#   apps/frontend/scripts/npm-ci.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache="${LOCALDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/localdev-kube}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ERROR: frontend: node and npm not found; install Node.js 20.19+ or 22.12+ (with npm)" >&2
  exit 1
fi
# vite 7 (vitest) needs ^20.19 or >=22.12; next 15 needs >=18.18.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  const ok = (maj === 20 && min >= 19) || (maj === 22 && min >= 12) || maj > 22;
  if (!ok) { console.error(`ERROR: frontend: Node ${process.versions.node} is too old; install Node.js 20.19+ or 22.12+`); process.exit(1); }
'

stamp="$here/node_modules/.localdev-npm-ci"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "==> frontend: node_modules matches package-lock.json: nothing to do" >&2
  exit 0
fi
echo "==> frontend: npm ci (cache: $cache/npm)" >&2
mkdir -p "$cache/npm"
cd "$here"
NEXT_TELEMETRY_DISABLED=1 npm ci --cache "$cache/npm" --prefer-offline --no-audit --no-fund --loglevel=warn >&2
printf '%s\n' "$want" >"$stamp"
