#!/usr/bin/env bash
# Provisions everything `make test` needs on this machine, in order. Each step
# is idempotent and says "nothing to do" when its part is already in place.
# tests/env/teardown.sh stops the services started here and by the gates.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
./runc-wrapper.sh >/dev/null  # OCI runtime wrapper for machines without CAP_SYS_RESOURCE
./docker.sh          # Docker Engine (Debian's docker.io when no daemon answers)
./base-images.sh     # python, node, postgres and molecule base images (local stand-ins offline)
./tools.sh           # helm and kubeconform, built from their Go modules
./cluster.sh build   # minikube, Kubernetes, node image and ingress images (built here when not downloadable)
./postgres.sh >/dev/null  # PostgreSQL server for the backend's tests
./chromium.sh        # Debian's Chromium for the browser end-to-end test
