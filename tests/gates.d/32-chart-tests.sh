#!/usr/bin/env bash
# pytest over the todo-app chart's rendered manifests and bad values files.
set -euo pipefail
. scripts/common.sh

command -v helm >/dev/null || die "chart-tests: helm is not on PATH: run tests/env/tools.sh (or make test-env)"
exec pytest tests/chart -q -p no:cacheprovider --junitxml="$GATE_JUNIT" "$@"
