#!/usr/bin/env bash
# Molecule scenario `site`: the whole site.yml against the fake minikube CLI,
# the real TLS Docker daemon and the test cluster's real API server.
set -euo pipefail
. scripts/common.sh
tests/env/cluster.sh up >/dev/null
tests/env/tls-dockerd.sh up
tests/env/tls-dockerd.sh seed
export LOCALDEV_MINIKUBE_PATH="$PWD/tests/fakes/minikube"
export MOLECULE_EPHEMERAL_DIRECTORY="$LOCALDEV_CACHE/molecule/site"
# A fresh scenario state each run: molecule would otherwise skip prepare.
rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
exec molecule test -s site
