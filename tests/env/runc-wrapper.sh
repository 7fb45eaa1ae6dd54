#!/usr/bin/env bash
# Builds the runc wrapper (tests/env/runc-wrapper: drops from a container's
# capability sets those not in the wrapper's own bounding set, e.g.
# CAP_SYS_RESOURCE here, and clamps oomScoreAdj and rlimits, which runc cannot
# apply without CAP_SYS_RESOURCE; on a machine with every capability and room
# in its limits it changes nothing) into $LOCALDEV_BIN/ldk-runc and prints
# its path. Static (CGO_ENABLED=0), so the same binary also goes into the node
# image. Rebuilds only when its source or the Go version changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src="$(cd "$(dirname "$0")" && pwd)/runc-wrapper"
out="$LOCALDEV_BIN/ldk-runc"
stamp="$LOCALDEV_CACHE/ldk-runc.source-sha256"

go=$(command -v go || { [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go; }) ||
  die "runc-wrapper: no Go toolchain found; install Go 1.22 or newer (e.g. apt-get install golang-go) and re-run $0"
hash=$( (cat "$src/go.mod" "$src/main.go"; "$go" version) | sha256sum | cut -d' ' -f1)

if [ -x "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  log "runc-wrapper: $out is built from the current source: nothing to do"
else
  log "runc-wrapper: building $out"
  # Build beside the target and rename: a daemon may be running the old one.
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" build -trimpath -ldflags '-s -w' -o "$out.tmp" .) ||
    die "runc-wrapper: go build failed in $src (see the compiler output above)"
  mv -f "$out.tmp" "$out"
  echo "$hash" >"$stamp"
fi
echo "$out"
