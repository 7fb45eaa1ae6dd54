#!/usr/bin/env bash
# Makes the minikube CLI the tests run: the official release binary when its
# release site answers ($MINIKUBE_RELEASES, SHA-256 checked), otherwise built
# from minikube's own Go module (k8s.io/minikube) at the pinned version, with
# the version stamps its Makefile sets: the real minikube, only built here.
#
#   tests/env/minikube-build.sh      download or build once into $LOCALDEV_CACHE/minikube/<version>/minikube,
#                                    link it as $LOCALDEV_BIN/minikube; print its path
#
# `go install k8s.io/minikube/cmd/minikube@v` refuses the module's replace
# directives, but they name published modules, so a build inside a writable
# copy of the module directory works. Its go.sum is not in the checksum
# database's view of some proxies: GONOSUMDB=k8s.io/minikube.
set -euo pipefail
# shellcheck source=tests/env/lib.sh
. "$(dirname "$0")/lib.sh"

MINIKUBE_VERSION="${MINIKUBE_VERSION:-v1.37.0}"
# The storage-provisioner tag and ISO version minikube's Makefile stamps for this release.
STORAGE_PROVISIONER_TAG=v5
ISO_VERSION=v1.37.0

dir="$LOCALDEV_CACHE/minikube/$MINIKUBE_VERSION"
bin="$dir/minikube"

built() { [ -x "$bin" ] && grep -qx "$MINIKUBE_VERSION" <<<"$("$bin" version --short 2>/dev/null)"; }

release="$MINIKUBE_RELEASES/$MINIKUBE_VERSION/minikube-linux-$(dpkg --print-architecture 2>/dev/null || echo amd64)"
if built; then
  log "minikube: $MINIKUBE_VERSION present: nothing to do"
elif release_download "$release" "$release.sha256" "$bin" && built; then
  log "minikube: downloaded the official $MINIKUBE_VERSION from $release"
else
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || die "minikube: no Go toolchain; install Go 1.24 or newer and re-run $0"
  start=$SECONDS
  log "minikube: building $MINIKUBE_VERSION from its Go module (cold: several minutes)"
  info=$(GONOSUMDB=k8s.io/minikube go mod download -json "k8s.io/minikube@$MINIKUBE_VERSION") ||
    die "minikube: cannot download k8s.io/minikube@$MINIKUBE_VERSION: $info"
  moddir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$info")
  commit=$(sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' <<<"$info")")
  [ -d "$moddir" ] || die "minikube: no module directory in: $info"
  rm -rf "$dir/src" && mkdir -p "$dir" && cp -r "$moddir" "$dir/src" && chmod -R u+w "$dir/src"
  ldflags="-s -w -X k8s.io/minikube/pkg/version.version=$MINIKUBE_VERSION"
  ldflags+=" -X k8s.io/minikube/pkg/version.isoVersion=$ISO_VERSION"
  ldflags+=" -X k8s.io/minikube/pkg/version.gitCommitID=${commit:-unknown}"
  ldflags+=" -X k8s.io/minikube/pkg/version.storageProvisionerVersion=$STORAGE_PROVISIONER_TAG"
  (cd "$dir/src" && GONOSUMDB=k8s.io/minikube CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags "$ldflags" -o "$bin.new" ./cmd/minikube) ||
    die "minikube: go build failed (see above)"
  mv "$bin.new" "$bin"
  rm -rf "$dir/src"
  built || die "minikube: the built binary does not report $MINIKUBE_VERSION: $("$bin" version 2>&1)"
  find "$LOCALDEV_CACHE/minikube" -mindepth 1 -maxdepth 1 ! -name "$MINIKUBE_VERSION" -exec rm -rf {} +
  log "minikube: built $MINIKUBE_VERSION in $((SECONDS - start))s"
fi
ln -sfn "$bin" "$LOCALDEV_BIN/minikube"
echo "$bin"
