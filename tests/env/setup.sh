#!/usr/bin/env bash
# Provisions everything `make test` needs on this machine, in order. Each step
# is idempotent and says "nothing to do" when its part is already in place.
# tests/env/teardown.sh stops the services started here and by the gates.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh
./docker.sh          # Docker Engine (Debian's docker.io when no daemon answers)
./base-images.sh     # python, node, postgres and molecule base images (local stand-ins offline)
./tls-dockerd.sh up  # a second dockerd on TCP+TLS where minikube's daemon would be
./tls-dockerd.sh seed  # ...holding the base images, as minikube's daemon would after a pull
./tools.sh           # helm and kubeconform, built from their Go modules
./cluster.sh build   # Kubernetes control plane, etcd and kwok binaries, built from their Go modules
./postgres.sh >/dev/null  # PostgreSQL server for the backend's tests
./chromium.sh        # Debian's Chromium for the browser end-to-end test
apt_install nginx    # stands in front of the app's containers where the ingress would be
log "nginx: $(/usr/sbin/nginx -v 2>&1)"
