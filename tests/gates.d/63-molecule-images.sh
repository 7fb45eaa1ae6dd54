#!/usr/bin/env bash
# Molecule scenario `images`: the images role against real Docker daemons (the
# local one, and the TLS one of tests/env/tls-dockerd.sh reached through the
# minikube_docker_env module and the fake minikube CLI), with fixture apps.
set -euo pipefail
. scripts/common.sh
docker info >/dev/null 2>&1 || { echo "no Docker daemon answers: run tests/env/docker.sh (make test-env)"; exit 1; }
for image in python:3.11-slim-bookworm node:22-bookworm-slim; do
  docker image inspect "$image" >/dev/null 2>&1 \
    || { echo "base image $image is missing: run tests/env/base-images.sh (make test-env)"; exit 1; }
done
[ -x tests/env/tls-dockerd.sh ] || { echo "tests/env/tls-dockerd.sh is missing (the TLS daemon of the minikube scenario)"; exit 1; }
molecule test -s images
