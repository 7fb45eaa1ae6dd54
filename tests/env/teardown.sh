#!/usr/bin/env bash
# Stops the services the gates started: the test cluster and the second
# (TLS) Docker daemon. Caches and the main Docker daemon stay.
set -euo pipefail
cd "$(dirname "$0")"
status=0
[ ! -x ./cluster.sh ] || ./cluster.sh down || status=1
[ ! -x ./tls-dockerd.sh ] || ./tls-dockerd.sh down || status=1
exit $status
