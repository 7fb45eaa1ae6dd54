#!/usr/bin/env bash
# Molecule scenario helm_release against the test cluster's real API server
# (brought up by the 50-cluster gate; started here too when it is not up).
set -euo pipefail
. scripts/common.sh
tests/env/cluster.sh up >/dev/null
export MOLECULE_EPHEMERAL_DIRECTORY="$LOCALDEV_CACHE/molecule/helm_release"
# A fresh scenario state each run: molecule would otherwise skip prepare.
rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
molecule test -s helm_release
