#!/usr/bin/env bash
# Builds localdev-kube/kicbase:v0.0.48-bookworm, a local stand-in for the node
# image minikube v1.37.0's docker driver runs (gcr.io/k8s-minikube/kicbase:v0.0.48),
# for machines that reach no container registry; hand it to minikube with
# --base-image. Recipe: tests/env/images/kicbase. Built here on the host with Go
# and cached under $LOCALDEV_CACHE/node-image by version: cri-dockerd (Docker
# API 1.41 needs the v0.3 line), crictl, and the runc wrapper
# (tests/env/runc-wrapper.sh). kicbase's entrypoint and sysctl files and
# cri-dockerd's systemd units come from their Go modules. A re-run with the
# same inputs does nothing (recipe hash label, as base-images.sh does).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"

TAG=localdev-kube/kicbase:v0.0.48-bookworm
BASE=localdev-kube/debian-base:bookworm
MINIKUBE_VERSION=v1.37.0
CRI_DOCKERD_VERSION=v0.3.17
CRICTL_VERSION=v1.34.0
HOST_CA=/etc/ssl/certs/ca-certificates.crt
cache="$LOCALDEV_CACHE/node-image"
export DOCKER_BUILDKIT=0 # the classic builder: no buildx plugin needed
mkdir -p "$cache"

go=$(command -v go || { [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go; }) ||
  die "node-image: no Go toolchain found; install Go 1.24 or newer (e.g. apt-get install golang-go, which fetches a newer toolchain itself) and re-run $0"
docker image inspect "$BASE" >/dev/null 2>&1 || die "node-image: no $BASE image; run tests/env/base-images.sh first"

# module_dir MODULE@VERSION: its source in the module cache (downloaded when absent).
module_dir() {
  local dir
  dir=$(GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}k8s.io/minikube" "$go" mod download -json "$1" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || die "node-image: cannot download Go module $1 (see the error above); check the Go proxy settings (go env GOPROXY)"
  echo "$dir"
}

# cri-dockerd from a copy of its module: the module zip keeps only
# vendor/modules.txt, so the vendor directory goes and -mod=mod fetches deps.
build_cri_dockerd() {
  local out="$cache/cri-dockerd-$CRI_DOCKERD_VERSION" src work
  [ -x "$out" ] && return 0
  src=$(module_dir "github.com/Mirantis/cri-dockerd@$CRI_DOCKERD_VERSION")
  work=$(mktemp -d "$cache/cri-dockerd-src.XXXXXX")
  cp -r "$src/." "$work" && chmod -R u+w "$work" && rm -rf "$work/vendor"
  log "node-image: building cri-dockerd $CRI_DOCKERD_VERSION (a few minutes)"
  (cd "$work" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/Mirantis/cri-dockerd/cmd/version.Version=${CRI_DOCKERD_VERSION#v}" \
    -o "$out.tmp" .) || die "node-image: building cri-dockerd failed in $work (see the compiler output above)"
  mv "$out.tmp" "$out" && rm -rf "$work"
}

build_crictl() {
  local out="$cache/crictl-$CRICTL_VERSION" bin
  [ -x "$out" ] && return 0
  bin=$(mktemp -d "$cache/crictl-bin.XXXXXX")
  log "node-image: building crictl $CRICTL_VERSION"
  GOBIN="$bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" install -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION#v}" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" || die "node-image: building crictl failed (see the output above)"
  mv "$bin/crictl" "$out" && rm -rf "$bin"
}

build_cri_dockerd
build_crictl
wrapper=$("$here/runc-wrapper.sh")

# The build context: the recipe plus what it copies, modes set here since
# module cache files are read-only.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
minikube=$(module_dir "k8s.io/minikube@$MINIKUBE_VERSION")/deploy/kicbase
cri_units=$(module_dir "github.com/Mirantis/cri-dockerd@$CRI_DOCKERD_VERSION")/packaging/systemd
install -m 0644 "$here"/images/kicbase/* "$HOST_CA" "$minikube/10-network-security.conf" \
  "$minikube/11-tcp-mtu-probing.conf" "$cri_units/cri-docker.service" "$cri_units/cri-docker.socket" "$context/"
install -m 0755 "$minikube/entrypoint" "$context/entrypoint"
install -m 0755 "$cache/cri-dockerd-$CRI_DOCKERD_VERSION" "$context/cri-dockerd"
install -m 0755 "$cache/crictl-$CRICTL_VERSION" "$context/crictl"
install -m 0755 "$wrapper" "$context/ldk-runc"
recipe=$( (cd "$context" && find . -type f | LC_ALL=C sort | xargs sha256sum; docker image inspect -f '{{.Id}}' "$BASE") |
  sha256sum | cut -c1-16)

if [ "$(docker image inspect -f '{{index .Config.Labels "org.localdev-kube.recipe"}}' "$TAG" 2>/dev/null)" = "$recipe" ]; then
  log "node-image: $TAG is up to date: nothing to do"
  exit 0
fi
log "node-image: building $TAG (log: $cache/build.log)"
if ! docker build --network host --build-arg "BASE=$BASE" --label "org.localdev-kube.recipe=$recipe" \
    -t "$TAG" "$context" >"$cache/build.log" 2>&1; then
  tail -n 30 "$cache/build.log" >&2
  die "node-image: building $TAG failed; see $cache/build.log"
fi
log "node-image: built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | numfmt --to=iec))"
