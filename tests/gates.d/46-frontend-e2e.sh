#!/usr/bin/env bash
# Frontend end to end in a real browser: the production build (`next build`,
# run as the standalone server the image runs), the real backend (uvicorn from
# its venv, SQLite in a temp dir, local chat agent), and Debian's Chromium
# driven by playwright-core (never a downloaded browser). Screenshots go to
# tests/output/frontend-e2e/; JUnit to $GATE_JUNIT.
set -euo pipefail
# shellcheck source=scripts/common.sh
. scripts/common.sh
root=$PWD
front="$root/apps/frontend"
out="$root/tests/output/frontend-e2e"
junit=""
[ -n "${GATE_JUNIT:-}" ] && junit=$(realpath -m "$GATE_JUNIT")
chromium_bin="${E2E_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium_bin" ] || die "frontend-e2e: no Chromium at $chromium_bin: run tests/env/chromium.sh (installs Debian's chromium), or set E2E_CHROMIUM"
export NEXT_TELEMETRY_DISABLED=1

apps/frontend/scripts/npm-ci.sh
backend_venv=$(apps/backend/scripts/test-venv.sh)

# --- production build, skipped when its inputs did not change ----------------------
build_inputs() {
  (cd "$front" && find src public package.json package-lock.json next.config.mjs tsconfig.json -type f -print0 \
    | sort -z | xargs -0 sha256sum; node --version)
}
want=$(build_inputs | sha256sum | cut -d' ' -f1)
stamp="$front/.next/standalone/.localdev-build"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  log "frontend-e2e: production build is up to date"
else
  log "frontend-e2e: next build"
  (cd "$front" && npx --no-install next build)
  rm -rf "$front/.next/standalone/.next/static" "$front/.next/standalone/public"
  cp -r "$front/.next/static" "$front/.next/standalone/.next/static"
  cp -r "$front/public" "$front/.next/standalone/public"
  printf '%s\n' "$want" >"$stamp"
fi

# --- servers on free loopback ports -------------------------------------------------
tmp=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
backend_port=$(free_port)
frontend_port=$(free_port)
backend_url="http://127.0.0.1:$backend_port"
frontend_url="http://127.0.0.1:$frontend_port"

log "frontend-e2e: backend on $backend_url (log: $tmp/backend.log)"
(cd apps/backend && exec env -u OPENAI_API_KEY DATABASE_URL="sqlite:///$tmp/todo.db" HOST=127.0.0.1 \
  PORT="$backend_port" LOG_LEVEL=WARNING "$backend_venv/bin/python" -m app) >"$tmp/backend.log" 2>&1 &
pids+=($!)
log "frontend-e2e: frontend on $frontend_url (log: $tmp/frontend.log)"
(cd "$front/.next/standalone" && exec env HOSTNAME=127.0.0.1 PORT="$frontend_port" BACKEND_URL="$backend_url" \
  node server.js) >"$tmp/frontend.log" 2>&1 &
pids+=($!)

# Waits up to 60 s for a URL to answer 2xx, giving up early if the server died.
ready() {
  local url=$1 pid=$2 i
  for ((i = 0; i < 120; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
ready "$backend_url/api/health" "${pids[0]}" || { cat "$tmp/backend.log" >&2; die "frontend-e2e: backend did not answer on $backend_url/api/health"; }
ready "$frontend_url/healthz" "${pids[1]}" || { cat "$tmp/frontend.log" >&2; die "frontend-e2e: frontend did not answer on $frontend_url/healthz"; }

# --- the browser test ---------------------------------------------------------------
rm -rf "$out" && mkdir -p "$out"
reporters=(--reporter=default)
[ -n "$junit" ] && reporters+=(--reporter=junit --outputFile.junit="$junit")
rc=0
(cd "$front" && E2E_BASE_URL="$frontend_url" E2E_BACKEND_URL="$backend_url" E2E_CHROMIUM="$chromium_bin" \
  E2E_OUTPUT_DIR="$out" npx --no-install vitest run --config vitest.e2e.config.mts "${reporters[@]}") || rc=$?
if [ "$rc" -ne 0 ]; then
  log "frontend-e2e: failed; server logs follow"
  tail -n 40 "$tmp/backend.log" "$tmp/frontend.log" >&2 || true
  exit "$rc"
fi
log "frontend-e2e: screenshots in ${out#"$root"/}/: $(cd "$out" && echo *.png)"
