#!/usr/bin/env bash
# Molecule scenario `images`: the images role against real Docker daemons (the
# local one, and the test cluster's node daemon reached over TLS through the
# minikube_docker_env module), with fixture apps.
set -euo pipefail
. tests/env/lib.sh
docker info >/dev/null 2>&1 || die "no Docker daemon answers: run tests/env/docker.sh (make test-env)"
for image in python:3.11-slim-bookworm node:22-bookworm-slim; do
  docker image inspect "$image" >/dev/null 2>&1 ||
    die "base image $image is missing: run tests/env/base-images.sh (make test-env)"
done
tests/env/cluster.sh up
molecule test -s images
