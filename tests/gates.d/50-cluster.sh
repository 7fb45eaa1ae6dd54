#!/usr/bin/env bash
# The test cluster: a real minikube profile (docker driver, ingress addon), brought up
# through the project's minikube role by tests/env/cluster.sh (the first run builds
# its pieces), then the smoke test (tests/cluster): control plane, CoreDNS, kube-proxy,
# storage, the ingress controller and its webhook, and a release of the tests' own chart
# whose pods really run. The cluster stays up for the gates after this one.
set -euo pipefail
. tests/env/lib.sh
PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH" # as `make test` sets it, for runs by hand

command -v helm >/dev/null || die "cluster: helm is not on PATH: run tests/env/tools.sh (or make test-env)"
tests/env/cluster.sh up
exec pytest tests/cluster -q -p no:cacheprovider ${GATE_JUNIT:+--junitxml="$GATE_JUNIT"} "$@"
