#!/usr/bin/env bash
# Puts the pinned helm (the official release when $HELM_RELEASES answers, SHA-256
# checked) and kubeconform into $LOCALDEV_BIN, built from their Go modules where
# they cannot be downloaded, and unpacks Debian's kubectl 1.20 (package kubernetes-client) for
# the toolchain scenario's "old kubectl on PATH" case. Idempotent: a binary that already reports the pinned version is
# left alone. Needs a Go toolchain (>= the go directive of the modules; with
# GOTOOLCHAIN=auto an older go fetches the right one itself).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HELM_VERSION="${HELM_VERSION:-v4.3.1}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"

helm_bin="$LOCALDEV_BIN/helm"
kubeconform_bin="$LOCALDEV_BIN/kubeconform"
old_kubectl="$LOCALDEV_CACHE/old-kubectl/kubectl"

helm_ok() {
  [ -x "$helm_bin" ] && [ "$("$helm_bin" version --template '{{.Version}}' 2>/dev/null)" = "$HELM_VERSION" ]
}

kubeconform_ok() {
  [ -x "$kubeconform_bin" ] && [ "$("$kubeconform_bin" -v 2>/dev/null)" = "$KUBECONFORM_VERSION" ]
}

go_bin() {
  command -v go 2>/dev/null && return 0
  [ -x /usr/local/go/bin/go ] && { echo /usr/local/go/bin/go; return 0; }
  die "tools: no Go toolchain found; install Go 1.26 or newer (e.g. 'apt-get install golang-go' gives an older go that fetches the right toolchain itself via GOTOOLCHAIN=auto) and re-run $0"
}

# go_install MODULE/cmd/NAME VERSION LDFLAGS: static, reproducible build like the upstream release.
go_install() {
  local pkg=$1 version=$2 ldflags=$3 go
  go=$(go_bin)
  log "tools: building $pkg@$version (first build takes several minutes; the Go caches make later ones fast)"
  GOBIN="$LOCALDEV_BIN" CGO_ENABLED=0 GOFLAGS="-buildvcs=false" \
    "$go" install -trimpath -ldflags "$ldflags" "$pkg@$version"
}

did=0
# helm_download: the official archive, verified, its helm binary into $LOCALDEV_BIN.
helm_download() {
  local platform archive work
  platform="linux-$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  archive="$HELM_RELEASES/helm-$HELM_VERSION-$platform.tar.gz"
  work=$(mktemp -d)
  if release_download "$archive" "$archive.sha256sum" "$work/helm.tar.gz" &&
    tar -xzf "$work/helm.tar.gz" -C "$work" "$platform/helm"; then
    install -m 0755 "$work/$platform/helm" "$helm_bin"
    log "tools: downloaded the official helm $HELM_VERSION from $archive"
  fi
  rm -rf "$work"
  helm_ok
}

if helm_ok; then
  log "tools: helm $HELM_VERSION present"
elif helm_download; then
  did=1
else
  go_install helm.sh/helm/v4/cmd/helm "$HELM_VERSION" \
    "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  helm_ok || die "tools: built helm does not report $HELM_VERSION: $("$helm_bin" version 2>&1)"
  did=1
fi

if kubeconform_ok; then
  log "tools: kubeconform $KUBECONFORM_VERSION present"
else
  go_install github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" \
    "-s -w -X main.version=$KUBECONFORM_VERSION"
  kubeconform_ok || die "tools: built kubeconform does not report $KUBECONFORM_VERSION: $("$kubeconform_bin" -v 2>&1)"
  did=1
fi

# A real kubectl older than the toolchain role's minimum, unpacked, not installed.
if [ -x "$old_kubectl" ] && grep -q '"gitVersion": "v1.20' <<<"$("$old_kubectl" version --client -o json 2>/dev/null)"; then
  log "tools: Debian's kubectl 1.20 present"
else
  log "tools: unpacking Debian's kubernetes-client (kubectl 1.20) into ${old_kubectl%/*}"
  work=$(mktemp -d)
  (cd "$work" && apt-get download -q kubernetes-client >/dev/null 2>&1) \
    || { apt-get update -q >/dev/null && (cd "$work" && apt-get download -q kubernetes-client >/dev/null); } \
    || die "tools: apt-get download kubernetes-client failed (Debian's package of kubectl 1.20)"
  dpkg-deb -x "$work"/kubernetes-client_*.deb "$work/root"
  mkdir -p "${old_kubectl%/*}"
  install -m 0755 "$work/root/usr/bin/kubectl" "$old_kubectl"
  rm -rf "$work"
  did=1
fi

if [ "$did" -eq 0 ]; then
  log "tools: nothing to do"
else
  log "tools: helm $HELM_VERSION and kubeconform $KUBECONFORM_VERSION in $LOCALDEV_BIN"
fi
