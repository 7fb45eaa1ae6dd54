#!/usr/bin/env bash
# Stops what the gates started: the test cluster's minikube profile (stopped,
# not deleted: its node keeps the image layers for the next run). Caches and the
# Docker daemon stay.
set -euo pipefail
cd "$(dirname "$0")"
exec ./cluster.sh down
