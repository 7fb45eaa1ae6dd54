#!/usr/bin/env bash
# Provisions everything `make test` needs on this machine, in order. Each step
# is idempotent and says "nothing to do" when its part is already in place.
set -euo pipefail
cd "$(dirname "$0")"
./docker.sh
./base-images.sh
