#!/usr/bin/env bash
# Builds local stand-ins for the images of minikube v1.37.0's ingress addon,
# for machines that reach no container registry (ingress-nginx itself cannot
# be built here: its module versions are not served, its nginx needs OpenResty):
#   localdev-kube/ingress-nginx-controller:v1.13.2-traefik3.6.2
#       Traefik v3.6.2 (its kubernetesingressnginx provider) started by an
#       adapter that takes ingress-nginx's flags and serves /healthz and the
#       validating admission webhook (tests/env/ingress/adapter)
#   localdev-kube/kube-webhook-certgen:v1.6.2
#       the certgen Jobs' `create` and `patch` (same Go module)
# Binaries are cached under $LOCALDEV_CACHE/ingress, keyed by version, Go
# toolchain and source hash; images carry a recipe-hash label. A re-run with
# nothing changed builds nothing and says so.
# stdout: the `minikube addons enable ingress` arguments selecting the images.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
env_dir="$(cd "$(dirname "$0")" && pwd)"
adapter_src="$env_dir/ingress/adapter"
cache="$LOCALDEV_CACHE/ingress"
mkdir -p "$cache"

TRAEFIK_VERSION=v3.6.2
TRAEFIK_CODENAME=ramequin   # the v3.6 codename (traefik's release workflow sets it)
CONTROLLER_VERSION=v1.13.2  # the ingress-nginx controller minikube v1.37.0 pins
CERTGEN_VERSION=v1.6.2      # the kube-webhook-certgen minikube v1.37.0 pins
REPO=localdev-kube          # passed to minikube as the images' "registry"
CONTROLLER_IMAGE=ingress-nginx-controller:$CONTROLLER_VERSION-traefik${TRAEFIK_VERSION#v}
CERTGEN_IMAGE=kube-webhook-certgen:$CERTGEN_VERSION
BASE=localdev-kube/debian-base:bookworm
export DOCKER_BUILDKIT=0 CGO_ENABLED=0   # classic builder (no buildx); static binaries

command -v go >/dev/null 2>&1 || die "ingress-images: go not found; install Go 1.24 or later and put it on PATH"
command -v docker >/dev/null 2>&1 || die "ingress-images: docker not found; run tests/env/docker.sh"
docker image inspect "$BASE" >/dev/null 2>&1 || die "ingress-images: $BASE is missing; run tests/env/base-images.sh first"
go_id="$(go env GOVERSION GOOS GOARCH | tr '\n' ' ')"

# Prints the path of a traefik binary built from the module at TRAEFIK_VERSION.
build_traefik() {
  local pkg=github.com/traefik/traefik/v3/pkg/version key out mod src
  local ldflags="-s -w -X $pkg.Version=$TRAEFIK_VERSION -X $pkg.Codename=$TRAEFIK_CODENAME"
  key=$(printf '%s\n' "$TRAEFIK_VERSION" "$ldflags" "$go_id" | sha256sum | cut -c1-12)
  out="$cache/traefik-$TRAEFIK_VERSION-$key"
  if [ -x "$out/traefik" ]; then
    log "ingress-images: traefik $TRAEFIK_VERSION is built: nothing to do"
    echo "$out/traefik"; return
  fi
  # Traefik is not in the checksum database's reach here; its go.sum pins its dependencies.
  export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/traefik"
  mod=$(cd "$cache" && GOWORK=off go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" \
        | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod" ] || die "ingress-images: cannot download github.com/traefik/traefik/v3@$TRAEFIK_VERSION; check the Go module proxy (GOPROXY)"
  # `go install mod@version` refuses modules with replace directives: build in a writable copy.
  src="$cache/src/traefik-$TRAEFIK_VERSION"
  rm -rf "$src" "$out.new" && mkdir -p "$cache/src" "$out.new"
  cp -r "$mod" "$src" && chmod -R u+w "$src"
  log "ingress-images: building traefik $TRAEFIK_VERSION (about 5 minutes cold on 2 cores; log: $cache/traefik-build.log)"
  if ! (cd "$src" && go build -trimpath -ldflags "$ldflags -X $pkg.BuildDate=$(date -u +%FT%TZ)" \
        -o "$out.new/traefik" ./cmd/traefik) >"$cache/traefik-build.log" 2>&1; then
    tail -n 30 "$cache/traefik-build.log" >&2
    die "ingress-images: building traefik failed; see $cache/traefik-build.log"
  fi
  rm -rf "$src" "$out" && mv "$out.new" "$out"
  echo "$out/traefik"
}

# Prints the directory holding the adapter's two binaries, built from tests/env/ingress/adapter.
build_adapter() {
  local key out
  [ -f "$adapter_src/go.mod" ] || die "ingress-images: $adapter_src/go.mod is missing; restore tests/env/ingress/adapter"
  key=$( (cd "$adapter_src" && find . -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod \) -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum; echo "$go_id") | sha256sum | cut -c1-12)
  out="$cache/adapter-$key"
  if [ -x "$out/nginx-ingress-controller" ] && [ -x "$out/kube-webhook-certgen" ]; then
    log "ingress-images: adapter binaries are built: nothing to do"
    echo "$out"; return
  fi
  log "ingress-images: building the adapter and certgen (tests/env/ingress/adapter)"
  rm -rf "$out.new" && mkdir -p "$out.new"
  (cd "$adapter_src" && go build -trimpath -ldflags "-s -w" -o "$out.new/" \
      ./cmd/nginx-ingress-controller ./cmd/kube-webhook-certgen) >&2 \
    || die "ingress-images: building the adapter failed (see above); run 'go vet ./...' in $adapter_src"
  rm -rf "$out" && mv "$out.new" "$out"
  echo "$out"
}

# Prints the path of a tar holding traefik at usr/local/bin/traefik with the
# file capability cap_net_bind_service, which Docker's ADD keeps when it
# extracts (see images/ingress-controller/Dockerfile).
traefik_tar() {
  local bin=$1 tar root
  tar="$(dirname "$bin")/traefik-cap.tar"
  if [ ! -s "$tar" ]; then
    command -v setcap >/dev/null 2>&1 || apt_install libcap2-bin
    root=$(mktemp -d)
    mkdir -p "$root/usr/local/bin" && cp -p "$bin" "$root/usr/local/bin/traefik"
    setcap cap_net_bind_service=+ep "$root/usr/local/bin/traefik" \
      || die "ingress-images: setcap failed; run as root, with TMPDIR on a filesystem with extended attributes"
    tar --xattrs --xattrs-include=security.capability --numeric-owner --owner=0 --group=0 \
      -C "$root" -cf "$tar.tmp" usr/local/bin/traefik && mv "$tar.tmp" "$tar"
    rm -rf "$root"
  fi
  echo "$tar"
}

# build_image TAG RECIPE_DIR FILE...: builds TAG from RECIPE_DIR/Dockerfile with
# FILE... in the context, unless the daemon holds TAG built from the same recipe.
build_image() {
  local tag=$1 recipe=$2 hash built old context
  shift 2
  hash=$( (cat "$recipe/Dockerfile" "$@"; docker image inspect -f '{{.Id}}' "$BASE") | sha256sum | cut -c1-16)
  built=$(docker image inspect -f '{{index .Config.Labels "org.localdev-kube.recipe"}}' "$tag" 2>/dev/null || true)
  if [ "$built" = "$hash" ]; then
    log "ingress-images: $tag is up to date: nothing to do"; return
  fi
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  context=$(mktemp -d)
  cp "$recipe/Dockerfile" "$@" "$context/"
  log "ingress-images: building $tag"
  if ! docker build --force-rm --network host --build-arg "BASE=$BASE" --label "org.localdev-kube.recipe=$hash" \
        -t "$tag" "$context" >"$cache/build-$(basename "$recipe").log" 2>&1; then
    cat "$cache/build-$(basename "$recipe").log" >&2
    rm -rf "$context"
    die "ingress-images: building $tag failed"
  fi
  rm -rf "$context"
  # The image this replaces is untagged now: drop it unless a container uses it.
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
}

# minikube keeps `docker save` tarballs of images at
# $MINIKUBE_HOME/.minikube/cache/images/<arch>/<ref with : as _> (pkg/minikube/detect
# ImageCacheDir, localpath.SanitizeCacheDir). `minikube cache add` and
# `minikube image load --overwrite=false` load such a file instead of re-saving
# the image; `addons enable` itself loads nothing. Kept in step with the daemon.
save_for_minikube() {
  local ref=$1 home=${MINIKUBE_HOME:-$HOME} id file stamp
  [ "$(basename "$home")" = .minikube ] || home="$home/.minikube"
  file="$home/cache/images/$(go env GOARCH)/${ref//:/_}"
  stamp="$cache/saved-${ref//[\/:]/_}"
  id=$(docker image inspect -f '{{.Id}}' "$ref")
  if [ -s "$file" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$id $file" ]; then
    log "ingress-images: $file is current: nothing to do"; return
  fi
  mkdir -p "$(dirname "$file")"
  docker save -o "$file.tmp" "$ref" && mv "$file.tmp" "$file"
  echo "$id $file" >"$stamp"
  log "ingress-images: saved $ref to $file"
}

traefik=$(build_traefik)
adapter=$(build_adapter)
build_image "$REPO/$CONTROLLER_IMAGE" "$env_dir/images/ingress-controller" "$(traefik_tar "$traefik")" "$adapter/nginx-ingress-controller"
build_image "$REPO/$CERTGEN_IMAGE" "$env_dir/images/webhook-certgen" "$adapter/kube-webhook-certgen"
save_for_minikube "$REPO/$CONTROLLER_IMAGE"
save_for_minikube "$REPO/$CERTGEN_IMAGE"

# With --images set, minikube drops the addon's default registry; --registries
# then puts REPO in front: the pods run $REPO/<image> with imagePullPolicy
# IfNotPresent, so the node's own docker daemon must hold these images.
echo "--images=IngressController=$CONTROLLER_IMAGE,KubeWebhookCertgenCreate=$CERTGEN_IMAGE,KubeWebhookCertgenPatch=$CERTGEN_IMAGE"
echo "--registries=IngressController=$REPO,KubeWebhookCertgenCreate=$REPO,KubeWebhookCertgenPatch=$REPO"
