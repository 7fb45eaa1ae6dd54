#!/usr/bin/env bash
# The test cluster: a real Kubernetes API (v1.34) with kwok nodes (tests/env/cluster.sh).
# Starts it when it is not up (the first run builds the binaries: ~15 min on 2 cores),
# then runs the smoke test (tests/cluster): /readyz, a helm release of the tests' own
# chart with every pod Running on kwok nodes, uninstall. The cluster stays up for the
# gates after this one; `tests/env/cluster.sh down` stops it.
set -euo pipefail
. scripts/common.sh
PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH" # as `make test` sets it, for runs by hand

command -v helm >/dev/null || die "cluster: helm is not on PATH: run tests/env/tools.sh (or make test-env)"
KUBECONFIG=$(tests/env/cluster.sh up)
export KUBECONFIG
exec pytest tests/cluster -q -p no:cacheprovider ${GATE_JUNIT:+--junitxml="$GATE_JUNIT"} "$@"
