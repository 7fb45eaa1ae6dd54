#!/usr/bin/env bash
# Molecule scenario `site`: the whole site.yml, every stage, against the test
# cluster (a real minikube profile) with the real minikube, kubectl and helm.
set -euo pipefail
. tests/env/lib.sh
tests/env/cluster.sh up
export MOLECULE_EPHEMERAL_DIRECTORY="$LOCALDEV_CACHE/molecule/site"
# A fresh scenario state each run: molecule would otherwise skip prepare.
rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
exec molecule test -s site
