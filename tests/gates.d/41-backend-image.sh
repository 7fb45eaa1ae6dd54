#!/usr/bin/env bash
# Backend image test: builds apps/backend with the classic builder against the
# local daemon (cached layers make a re-run quick), then runs
# apps/backend/tests/image: the container on a docker network made by the test,
# DATABASE_URL pointing at a throwaway PostgreSQL listening on that network's
# gateway address; the app's port published on 127.0.0.1 only.
set -euo pipefail
. scripts/common.sh

base="${BACKEND_PYTHON_IMAGE:-python:3.11-slim-bookworm}"
image="localdev-kube/todo-backend:gate"
docker info >/dev/null 2>&1 || die "backend-image: no Docker daemon answers: run tests/env/docker.sh"
docker image inspect "$base" >/dev/null 2>&1 || die "backend-image: base image $base missing: run tests/env/base-images.sh"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "backend-image: PostgreSQL server missing: run tests/env/postgres.sh"

venv=$(apps/backend/scripts/test-venv.sh)
mkdir -p tests/output
build_log=tests/output/backend-image-build.log
previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
log "backend-image: building $image (log: $build_log)"
# Host network: the build's pip reaches the package index even where the bridge cannot.
if ! DOCKER_BUILDKIT=0 docker build --network host --build-arg "PYTHON_IMAGE=$base" -t "$image" apps/backend \
  >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2
  die "backend-image: docker build failed (full log: $build_log)"
fi
current=$(docker image inspect -f '{{.Id}}' "$image")
# Drop the image this tag pointed at before, so re-runs after code changes do not pile up images.
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi

cd apps/backend
BACKEND_IMAGE="$image" exec "$venv/bin/python" -m pytest -p no:cacheprovider tests/image \
  ${GATE_JUNIT:+--junitxml="$GATE_JUNIT"} "$@"
