#!/usr/bin/env bash
# Makes the Kubernetes pieces a minikube cluster needs: the official release
# binaries ($KUBERNETES_RELEASES, SHA-256 checked) and registry.k8s.io images when
# they can be downloaded; where they cannot, built from
# their Go modules (and pause from its C source in the Kubernetes module),
# then put where minikube looks for them before it would download anything:
#   kubeadm, kubelet, kubectl  ->  $MINIKUBE_HOME/cache/linux/<arch>/<version>/
#   the images kubeadm lists, and minikube's storage-provisioner, under their
#   official names  ->  the host's Docker daemon and, as `docker save` files,
#   $MINIKUBE_HOME/cache/images/<arch>/<registry>/<name>_<tag>
# Images are labelled org.localdev-kube.stand-in-for (same software and version,
# only built here). Where the daemon can pull the official image, that is used.
#
#   tests/env/kubernetes.sh [build]    build what is missing, fill minikube's cache
#   tests/env/kubernetes.sh images     print the image references (one a line)
#
# Binaries: `go install k8s.io/kubernetes/cmd/...@v` is refused (its go.mod replaces
# the k8s.io/* staging modules with ./staging paths). A main module of our own
# requires k8s.io/kubernetes@<version> and points each staging module at its
# published v0.<minor>.<patch>; minimal version selection then gives exactly
# upstream's dependency versions, and one `go build` links every binary.
# etcd, CoreDNS and pause are built at the versions `kubeadm config images list`
# names for this release (kubeadm v1.34.4 asks for etcd 3.6.5-0, newer than the
# etcd library k8s.io/kubernetes links, so etcd has a module of its own).
set -euo pipefail
# shellcheck source=tests/env/lib.sh
. "$(dirname "$0")/lib.sh"
recipes="$(cd "$(dirname "$0")" && pwd)/images"

K8S_VERSION="${K8S_VERSION:-v1.34.4}"
BUILD_REV=2 # bump when the recipe below changes, to rebuild the cache
ARCH=amd64
[ "$(uname -m)" = x86_64 ] || die "kubernetes: only amd64 hosts are provisioned by this script"
MINIKUBE_CACHE="${MINIKUBE_HOME:-$HOME}/.minikube/cache"
case "${MINIKUBE_HOME:-}" in */.minikube) MINIKUBE_CACHE="$MINIKUBE_HOME/cache" ;; esac
BASE=localdev-kube/debian-base:bookworm

work="$LOCALDEV_CACHE/k8s/$K8S_VERSION"
bin="$work/bin"
cmds=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

need_go() {
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || die "kubernetes: no Go toolchain; install Go 1.24 or newer and re-run $0"
}

# Field $2 of the JSON object `go mod download -json` printed in $1.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p" <<<"$1" | head -n1; }

# mod_download MODULE@VERSION: prints the module's directory; $mod_info keeps the JSON.
mod_download() {
  mod_info=$(go mod download -json "$1") || die "kubernetes: cannot download $1: $mod_info"
  json_field "$mod_info" Dir
}

stamp_ok() { [ "$(cat "$1/.built" 2>/dev/null)" = "$2" ]; }

# download_binaries: every command of $cmds from the release site into $bin, or nothing.
download_binaries() {
  local key=$1 out="$work/bin.new" name url
  rm -rf "$out"
  for name in "${cmds[@]}"; do
    url="$KUBERNETES_RELEASES/$K8S_VERSION/bin/linux/$ARCH/$name"
    release_download "$url" "$url.sha256" "$out/$name" || { rm -rf "$out"; return 1; }
  done
  [ "$("$out/kube-apiserver" --version)" = "Kubernetes $K8S_VERSION" ] || { rm -rf "$out"; return 1; }
  echo "$key" >"$out/.built"
  rm -rf "$bin" && mv "$out" "$bin"
  log "kubernetes: downloaded the official ${cmds[*]} $K8S_VERSION from $KUBERNETES_RELEASES"
}

build_binaries() {
  local key="kubernetes=$K8S_VERSION rev=$BUILD_REV" src="$work/src" out="$work/bin.new" gomod info staging
  local ldflags pkg build_date start=$SECONDS wanted=() pkgs=()
  stamp_ok "$bin" "$key" && return 0
  download_binaries "$key" && return 0
  need_go
  log "kubernetes: building ${cmds[*]} $K8S_VERSION from the Go module proxy (cold: ~15 min on 2 cores)"
  info=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION") || die "kubernetes: cannot download k8s.io/kubernetes@$K8S_VERSION: $info"
  gomod=$(json_field "$info" GoMod)
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(json_field "$info" Info)")
  staging="v0.${K8S_VERSION#v1.}"
  rm -rf "$src" "$out" && mkdir -p "$src" "$out"
  {
    printf 'module localdev.kube/k8s-build\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\n' \
      "$(awk '$1 == "go" { print $2; exit }' "$gomod")" "$K8S_VERSION"
    printf '// k8s.io/kubernetes points these at ./staging/src/...: use the published releases.\nreplace (\n'
    awk -v v="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }' "$gomod"
    printf ')\n'
  } >"$src/go.mod"
  grep -q "k8s.io/apiserver => k8s.io/apiserver $staging" "$src/go.mod" ||
    die "kubernetes: found no staging replace directives in $gomod; the build recipe needs updating"
  for pkg in "${cmds[@]}"; do
    pkgs+=("k8s.io/kubernetes/cmd/$pkg")
    wanted+=("k8s.io/kubernetes/cmd/$pkg@$K8S_VERSION")
  done
  # Explicit versions: `go get` without one would upgrade to the newest release.
  (cd "$src" && go get "${wanted[@]}" 2>&1 | { grep -v '^go: \(downloading\|added\|upgraded\) ' >&2 || true; }) ||
    die "kubernetes: resolving the build's modules failed (see above)"
  grep -q "k8s.io/kubernetes $K8S_VERSION\$" "$src/go.mod" ||
    die "kubernetes: k8s.io/kubernetes resolved to another version than $K8S_VERSION"
  # The version stamps upstream's hack/lib/version.sh sets.
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1"
    ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") -X $pkg.gitTreeState=clean"
    ldflags+=" -X $pkg.buildDate=$build_date"
  done
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/" "${pkgs[@]}") ||
    die "kubernetes: go build of Kubernetes $K8S_VERSION failed (see above)"
  [ "$("$out/kube-apiserver" --version)" = "Kubernetes $K8S_VERSION" ] ||
    die "kubernetes: built kube-apiserver reports '$("$out/kube-apiserver" --version)', not $K8S_VERSION"
  echo "$key" >"$out/.built"
  rm -rf "$bin" "$src" && mv "$out" "$bin"
  find "$LOCALDEV_CACHE/k8s" -mindepth 1 -maxdepth 1 ! -name "$K8S_VERSION" -exec rm -rf {} +
  log "kubernetes: built ${cmds[*]} $K8S_VERSION in $((SECONDS - start))s"
}

# The image references kubeadm uses for this release (registry.k8s.io/...).
kubeadm_images() { "$bin/kubeadm" config images list --kubernetes-version "$K8S_VERSION" 2>/dev/null; }
image_tag() { kubeadm_images | sed -n "s|^registry.k8s.io/$1:||p"; }

# go_build_module DIR MODULE VERSION PKG OUT LDFLAGS: builds PKG of a plain requirement
# MODULE@VERSION inside a main module of our own at DIR (its replace directives, if any,
# are not needed as a dependency).
go_build_module() {
  local dir=$1 module=$2 version=$3 pkg=$4 out=$5 ldflags=$6
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module localdev.kube/build\n\ngo 1.24\n\nrequire %s %s\n' "$module" "$version" >"$dir/go.mod"
  (cd "$dir" && go get "$pkg@$version" 2>&1 | { grep -v '^go: \(downloading\|added\|upgraded\) ' >&2 || true; }) ||
    die "kubernetes: resolving $module@$version failed (see above)"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg") || die "kubernetes: building $pkg@$version failed"
  rm -rf "$dir"
}

build_etcd() {
  local tag version
  tag=$(image_tag etcd)
  [ -n "$tag" ] || die "kubernetes: kubeadm lists no etcd image"
  version="v${tag%-*}"
  [ -x "$work/etcd/$version/etcd" ] && return 0
  need_go
  log "kubernetes: building etcd $version (kubeadm's etcd:$tag)"
  go_build_module "$work/etcd/src" go.etcd.io/etcd/server/v3 "$version" go.etcd.io/etcd/server/v3 \
    "$work/etcd/$version/etcd" "-s -w"
  grep -qx "etcd Version: ${version#v}" <<<"$("$work/etcd/$version/etcd" --version)" ||
    die "kubernetes: built etcd does not report ${version#v}"
}

build_coredns() {
  local tag
  tag=$(image_tag coredns/coredns)
  [ -n "$tag" ] || die "kubernetes: kubeadm lists no coredns image"
  [ -x "$work/coredns/$tag/coredns" ] && return 0
  need_go
  log "kubernetes: building CoreDNS $tag"
  go_build_module "$work/coredns/src" github.com/coredns/coredns "$tag" github.com/coredns/coredns \
    "$work/coredns/$tag/coredns" "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$tag"
}

build_pause() {
  local tag src
  tag=$(image_tag pause)
  [ -n "$tag" ] || die "kubernetes: kubeadm lists no pause image"
  [ -x "$work/pause/$tag/pause" ] && return 0
  command -v gcc >/dev/null 2>&1 || apt_install gcc libc6-dev
  src="$(json_field "$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION")" Dir)/build/pause/linux/pause.c"
  [ -f "$src" ] || die "kubernetes: no $src in the Kubernetes module"
  log "kubernetes: compiling pause $tag from the Kubernetes module's C source"
  mkdir -p "$work/pause/$tag"
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-$K8S_VERSION" -o "$work/pause/$tag/pause" "$src"
}

# minikube's storage-provisioner (gcr.io/k8s-minikube/storage-provisioner:v5) from minikube's
# own module. Built as is against its module's client-go it exits at once ("endpoints lock is
# removed, migrate to leases"): sig-storage-lib-external-provisioner v6 elects its leader with
# an Endpoints lock, which client-go dropped in v0.24. The official v5 image was built from
# older dependencies; so is this one: the same source against client-go v0.23 and the
# kube-openapi that release requires.
SP_CLIENT_GO=v0.23.17
SP_KUBE_OPENAPI=v0.0.0-20211115234752-e816edb12b65
build_storage_provisioner() {
  local dir="$work/storage-provisioner/client-go-$SP_CLIENT_GO" moddir
  [ -x "$dir/v5/storage-provisioner" ] && return 0
  need_go
  log "kubernetes: building minikube's storage-provisioner (k8s.io/minikube v1.37.0, client-go $SP_CLIENT_GO)"
  moddir=$(GONOSUMDB=k8s.io/minikube mod_download k8s.io/minikube@v1.37.0)
  rm -rf "$dir/src" && mkdir -p "$dir/v5" && cp -r "$moddir" "$dir/src" && chmod -R u+w "$dir/src"
  (cd "$dir/src" &&
    go mod edit -replace "k8s.io/client-go=k8s.io/client-go@$SP_CLIENT_GO" \
      -replace "k8s.io/api=k8s.io/api@$SP_CLIENT_GO" \
      -replace "k8s.io/apimachinery=k8s.io/apimachinery@$SP_CLIENT_GO" \
      -replace "k8s.io/kube-openapi=k8s.io/kube-openapi@$SP_KUBE_OPENAPI" &&
    GONOSUMDB=k8s.io/minikube go build -mod=mod -trimpath -ldflags "-s -w" \
      -o "$dir/v5/storage-provisioner" ./cmd/storage-provisioner) ||
    die "kubernetes: building storage-provisioner failed (see above)"
  rm -rf "$dir/src"
}

# image_ready REF: the daemon holds REF, official or built from the same recipe ($2).
image_ready() {
  local label
  label=$(docker image inspect -f '{{index .Config.Labels "org.localdev-kube.recipe"}}' "$1" 2>/dev/null) || return 1
  [ "$label" = "$2" ] || [ "$label" = "<no value>" ] || [ -z "$label" ]
}

# make_image REF RECIPE FILE...: docker build of tests/env/images/RECIPE with FILEs in its context.
make_image() {
  local ref=$1 recipe=$2 context hash
  shift 2
  hash=$( (cat "$recipes/$recipe"/*; sha256sum "$@" | cut -d' ' -f1; echo "$ref") | sha256sum | cut -c1-16)
  image_ready "$ref" "$hash" && return 0
  if docker pull -q "$ref" >/dev/null 2>&1; then log "kubernetes: pulled the official $ref"; return 0; fi
  context=$(mktemp -d)
  mkdir "$context/bin"
  cp "$recipes/$recipe"/* "$context/"
  cp "$@" "$context/bin/"
  log "kubernetes: building stand-in image $ref"
  DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE=$BASE" \
    --label "org.localdev-kube.recipe=$hash" --label "org.localdev-kube.stand-in-for=$ref" \
    -t "$ref" "$context" >/dev/null || die "kubernetes: building $ref failed"
  rm -rf "$context"
}

build_images() {
  local ref name
  docker image inspect "$BASE" >/dev/null 2>&1 || die "kubernetes: no $BASE image; run tests/env/base-images.sh"
  for name in kube-apiserver kube-controller-manager kube-scheduler; do
    make_image "registry.k8s.io/$name:$K8S_VERSION" k8s-component "$bin/$name"
  done
  make_image "registry.k8s.io/kube-proxy:$K8S_VERSION" kube-proxy "$bin/kube-proxy"
  ref=registry.k8s.io/etcd:$(image_tag etcd)
  make_image "$ref" k8s-component "$work/etcd/v$(image_tag etcd | sed 's/-[0-9]*$//')/etcd"
  ref=registry.k8s.io/coredns/coredns:$(image_tag coredns/coredns)
  make_image "$ref" coredns "$work/coredns/$(image_tag coredns/coredns)/coredns"
  make_image "registry.k8s.io/pause:$(image_tag pause)" pause "$work/pause/$(image_tag pause)/pause"
  make_image gcr.io/k8s-minikube/storage-provisioner:v5 storage-provisioner \
    "$work/storage-provisioner/client-go-$SP_CLIENT_GO/v5/storage-provisioner"
}

all_images() { kubeadm_images; echo gcr.io/k8s-minikube/storage-provisioner:v5; }

# official_images: the daemon has, or can pull, the official image of every reference (a
# stand-in of ours carries the org.localdev-kube.stand-in-for label).
official_images() {
  local ref label
  while read -r ref; do
    label=$(docker image inspect -f '{{index .Config.Labels "org.localdev-kube.stand-in-for"}}' "$ref" 2>/dev/null) &&
      { [ -z "$label" ] || [ "$label" = "<no value>" ]; } && continue
    docker pull -q "$ref" >/dev/null 2>&1 || return 1
  done < <(all_images)
}

# minikube's cache layout: images/<arch>/<ref with ':' as '_'>, binaries linux/<arch>/<version>/.
fill_minikube_cache() {
  local ref file id name dir="$MINIKUBE_CACHE/linux/$ARCH/$K8S_VERSION"
  mkdir -p "$dir"
  for name in kubeadm kubelet kubectl; do
    cmp -s "$bin/$name" "$dir/$name" || install -m 0755 "$bin/$name" "$dir/$name"
  done
  # kubectl of the cluster's release for the tests (they run with $LOCALDEV_BIN on PATH).
  ln -sfn "$bin/kubectl" "$LOCALDEV_BIN/kubectl"
  while read -r ref; do
    file="$MINIKUBE_CACHE/images/$ARCH/${ref//:/_}"
    # Which image ID each cache file holds, kept beside our builds (not in minikube's cache).
    saved="$work/saved/${ref//[:\/]/_}.id"
    id=$(docker image inspect -f '{{.Id}}' "$ref")
    [ -s "$file" ] && [ "$(cat "$saved" 2>/dev/null)" = "$id" ] && continue
    mkdir -p "$(dirname "$file")" "$work/saved"
    docker save -o "$file.tmp" "$ref" && mv "$file.tmp" "$file" && echo "$id" >"$saved"
    log "kubernetes: cached $ref for minikube"
  done < <(all_images)
}

case "${1:-build}" in
  build)
    start=$SECONDS
    build_binaries
    if official_images; then
      log "kubernetes: the official images of $K8S_VERSION are in the daemon: nothing to build"
    else
      build_etcd
      build_coredns
      build_pause
      build_storage_provisioner
      build_images
    fi
    fill_minikube_cache
    log "kubernetes: $K8S_VERSION binaries and $(all_images | wc -l) images ready for minikube in $MINIKUBE_CACHE ($((SECONDS - start))s)"
    ;;
  images) all_images ;;
  *) echo "usage: $0 [build|images]" >&2; exit 2 ;;
esac
