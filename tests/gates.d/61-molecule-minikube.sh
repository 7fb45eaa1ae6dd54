#!/usr/bin/env bash
# Molecule scenario `minikube`: the minikube role on localhost against the real
# minikube CLI and the test cluster's profile (tests/env/cluster.sh): converge,
# idempotence, drift, check mode on a stopped cluster, restart, verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/env/lib.sh
export PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH"

command -v molecule >/dev/null 2>&1 || die "molecule not found: run make venv-test (scripts/venv.sh requirements.txt requirements-test.txt)"
tests/env/cluster.sh up
# The scenario's own output stays out of the checkout.
export MOLECULE_EPHEMERAL_DIRECTORY="${MOLECULE_EPHEMERAL_DIRECTORY:-$LOCALDEV_CACHE/molecule/minikube}"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
exec molecule test -s minikube
