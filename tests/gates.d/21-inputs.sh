#!/usr/bin/env bash
# Bad settings: `site.yml` with the repository's inventory and one mistake per
# case (no cluster needed), refused before anything changes, named as written.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/common.sh
export PATH="$LOCALDEV_VENV/bin:$PATH"
exec pytest tests/inputs -q -n 2 --junitxml="$GATE_JUNIT"
