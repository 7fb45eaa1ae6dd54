#!/usr/bin/env bash
# Ensures Debian's Chromium (and a font for readable screenshots) is installed
# for the frontend's browser end-to-end test: playwright-core drives it, no
# browser is ever downloaded.
set -euo pipefail
# shellcheck source=tests/env/lib.sh
. "$(dirname "$0")/lib.sh"

packages=(chromium fonts-liberation)
missing=()
for pkg in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = 'install ok installed' ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ] && [ -x /usr/bin/chromium ]; then
  log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed): nothing to do"
  exit 0
fi
apt_install "${packages[@]}"
[ -x /usr/bin/chromium ] || die "chromium: /usr/bin/chromium missing after installing Debian's chromium package"
log "chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
