#!/usr/bin/env bash
# Molecule scenario helm_release against the test cluster, a real minikube profile
# (brought up by the 50-cluster gate; started here too when it is not up).
set -euo pipefail
. tests/env/lib.sh
tests/env/cluster.sh up
export MOLECULE_EPHEMERAL_DIRECTORY="$LOCALDEV_CACHE/molecule/helm_release"
# A fresh scenario state each run: molecule would otherwise skip prepare.
rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
molecule test -s helm_release
