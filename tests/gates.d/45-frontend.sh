#!/usr/bin/env bash
# Frontend static checks and component/unit tests (apps/frontend): npm ci with
# npm's cache in $LOCALDEV_CACHE/npm, typecheck (tsc, strict), ESLint, then
# vitest (jsdom) with JUnit in $GATE_JUNIT. Every step runs; any failure fails.
set -euo pipefail
# shellcheck source=scripts/common.sh
. scripts/common.sh

junit=""
[ -n "${GATE_JUNIT:-}" ] && junit=$(realpath -m "$GATE_JUNIT")
apps/frontend/scripts/npm-ci.sh
cd apps/frontend
export NEXT_TELEMETRY_DISABLED=1
failed=()

log "frontend: typecheck (next typegen + tsc --noEmit, strict)"
{ npx --no-install next typegen >/dev/null && npx --no-install tsc --noEmit -p tsconfig.test.json; } || failed+=(typecheck)

log "frontend: lint (eslint, no warnings allowed)"
npx --no-install eslint --max-warnings=0 . || failed+=(lint)

log "frontend: vitest"
reporters=(--reporter=default)
[ -n "$junit" ] && reporters+=(--reporter=junit --outputFile.junit="$junit")
npx --no-install vitest run "${reporters[@]}" || failed+=(vitest)

[ ${#failed[@]} -eq 0 ] || die "frontend: failed: ${failed[*]}"
