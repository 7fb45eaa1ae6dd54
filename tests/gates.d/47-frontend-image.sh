#!/usr/bin/env bash
# Frontend image test: builds apps/frontend (multi-stage, classic builder) and
# the backend image, runs both on one user-defined Docker network with
# BACKEND_URL set to the backend container's name (as the Service DNS name
# works in the cluster), the frontend published on 127.0.0.1 only; then
# apps/frontend/tests/image (vitest, JUnit to $GATE_JUNIT) checks the image and
# the running pair: GET / is the page, GET /api/health through the frontend is 200.
set -euo pipefail
# shellcheck source=scripts/common.sh
. scripts/common.sh

node_base="${FRONTEND_NODE_IMAGE:-node:22-bookworm-slim}"
python_base="${BACKEND_PYTHON_IMAGE:-python:3.11-slim-bookworm}"
image="localdev-kube/todo-frontend:gate"
backend_image="localdev-kube/todo-backend:gate"
junit=""
[ -n "${GATE_JUNIT:-}" ] && junit=$(realpath -m "$GATE_JUNIT")
docker info >/dev/null 2>&1 || die "frontend-image: no Docker daemon answers: run tests/env/docker.sh"
for base in "$node_base" "$python_base"; do
  docker image inspect "$base" >/dev/null 2>&1 || die "frontend-image: base image $base missing: run tests/env/base-images.sh"
done
apps/frontend/scripts/npm-ci.sh # the test runner (vitest) runs on the host

mkdir -p tests/output
# Builds tag $2 from directory $3 with build arg $4 (classic builder; host network
# so npm/pip in the build reach the registries); log in tests/output/frontend-gate-$1-build.log.
# Drops the image the tag had before, so re-runs after code changes do not pile up.
build() {
  local name=$1 tag=$2 context=$3 arg=$4 log="tests/output/frontend-gate-$1-build.log" previous current
  previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  log "frontend-image: building the $name image $tag (log: $log)"
  if ! DOCKER_BUILDKIT=0 docker build --network host --build-arg "$arg" -t "$tag" "$context" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "frontend-image: docker build of $context failed (full log: $log)"
  fi
  current=$(docker image inspect -f '{{.Id}}' "$tag")
  if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
}
build frontend "$image" apps/frontend "NODE_IMAGE=$node_base"
build backend "$backend_image" apps/backend "PYTHON_IMAGE=$python_base"

suffix="$$-$RANDOM"
network="localdev-frontend-gate-$suffix"
backend="todo-backend-gate-$suffix"
frontend="todo-frontend-gate-$suffix"
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  docker rm -f "$frontend" "$backend" >/dev/null 2>&1 || true
  docker network rm "$network" >/dev/null 2>&1 || true
}
trap cleanup EXIT
docker network create "$network" >/dev/null
# The backend's default database: SQLite inside its container; its local chat agent.
docker run -d --name "$backend" --network "$network" "$backend_image" >/dev/null
docker run -d --name "$frontend" --network "$network" -p 127.0.0.1::3000 \
  -e BACKEND_URL="http://$backend:8000" "$image" >/dev/null
port=$(docker port "$frontend" 3000/tcp | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -n1)
[ -n "$port" ] || die "frontend-image: port 3000 of $frontend is not published on 127.0.0.1"
url="http://127.0.0.1:$port"

log "frontend-image: waiting for $url/api/health (frontend -> $backend:8000)"
ok=""
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null --max-time 2 "$url/api/health" 2>/dev/null; then ok=1; break; fi
  [ "$(docker inspect -f '{{.State.Running}}' "$frontend")" = true ] || break
  [ "$(docker inspect -f '{{.State.Running}}' "$backend")" = true ] || break
  sleep 0.5
done
if [ -z "$ok" ]; then
  docker logs --tail 40 "$backend" >&2 || true
  docker logs --tail 40 "$frontend" >&2 || true
  die "frontend-image: $url/api/health did not answer 200 within 60s (logs above)"
fi

reporters=(--reporter=default)
[ -n "$junit" ] && reporters+=(--reporter=junit --outputFile.junit="$junit")
rc=0
(cd apps/frontend && IMAGE_TEST_IMAGE="$image" IMAGE_TEST_CONTAINER="$frontend" IMAGE_TEST_URL="$url" \
  IMAGE_TEST_BACKEND_CONTAINER="$backend" npx --no-install vitest run --config vitest.image.config.mts \
  "${reporters[@]}") || rc=$?
if [ "$rc" -ne 0 ]; then
  docker logs --tail 40 "$frontend" >&2 || true
fi
exit "$rc"
