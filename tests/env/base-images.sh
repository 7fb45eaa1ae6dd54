#!/usr/bin/env bash
# Makes the base images the tests build on. Uses the official images when the
# daemon already has them or can pull them; otherwise (no registry reachable)
# builds local stand-ins from Debian bookworm (debootstrap), tagged with the
# official names and labelled org.localdev-kube.stand-in-for:
#   python:3.11-slim-bookworm   Debian's Python 3.11 with venv and pip
#   node:22-bookworm-slim       Node.js 22 + npm 10 from their npm packages
#   postgres:15-bookworm        Debian's PostgreSQL 15 with the official entrypoint's variables
#   localdev-kube/molecule-debian:bookworm   python3 for Molecule's docker driver
# Every stand-in trusts the host's CA bundle so pip and npm work in builds
# behind a TLS-inspecting proxy. A re-run with the same recipe does nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
images_dir="$(cd "$(dirname "$0")" && pwd)/images"
cache="$LOCALDEV_CACHE/base-images"
mkdir -p "$cache"

NODE_VERSION=22.23.3
NPM_VERSION=10.9.9
BASE=localdev-kube/debian-base:bookworm
HOST_CA=/etc/ssl/certs/ca-certificates.crt
export DOCKER_BUILDKIT=0   # the classic builder: no buildx plugin needed

debian_mirror() {
  # The mirror this host's apt uses, so debootstrap goes where apt already can.
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1)
  [ -n "$uri" ] || die "base-images: cannot tell the Debian mirror; set DEBIAN_MIRROR"
  echo "$uri"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

ensure_debian_base() {
  have_image "$BASE" && return 0
  local tarball="$cache/bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    apt_install debootstrap
    local rootfs
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    log "base-images: debootstrap bookworm (minbase) from $(debian_mirror)"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$(debian_mirror)" >"$cache/debootstrap.log" 2>&1 \
      || die "base-images: debootstrap failed; see $cache/debootstrap.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  log "base-images: importing $BASE"
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' "$tarball" "$BASE" >/dev/null
}

fetch_node() {
  # The npm registry ships the node binary as node-<os>-<arch> packages.
  local arch dir=$cache/node-$NODE_VERSION
  case "$(uname -m)" in
    x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "base-images: no Node.js package for $(uname -m)" ;;
  esac
  if [ ! -x "$dir/node" ] || [ ! -d "$dir/npm" ]; then
    log "base-images: fetching node-linux-$arch@$NODE_VERSION and npm@$NPM_VERSION"
    rm -rf "$dir" && mkdir -p "$dir/pack"
    (cd "$dir/pack" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    tar -xzf "$dir"/pack/node-linux-*.tgz -C "$dir/pack" package/bin/node
    mv "$dir/pack/package/bin/node" "$dir/node"
    mkdir -p "$dir/npm" && tar -xzf "$dir"/pack/npm-*.tgz -C "$dir/npm" --strip-components=1
    rm -rf "$dir/pack"
  fi
  echo "$dir"
}

# build_stand_in TAG RECIPE_DIR [EXTRA_DIR]: builds TAG unless the daemon holds
# it already, built from the same recipe (or it is the official image).
build_stand_in() {
  local tag=$1 recipe=$2 extra=${3:-} context
  recipe_hash() {
    (cat "$recipe"/* "$HOST_CA"; echo "$NODE_VERSION $NPM_VERSION"; docker image inspect -f '{{.Id}}' "$BASE") \
      | sha256sum | cut -c1-16
  }
  if have_image "$tag"; then
    local built_from
    built_from=$(docker image inspect -f '{{index .Config.Labels "org.localdev-kube.recipe"}}' "$tag")
    case "$built_from" in
      ""|"<no value>") log "base-images: official $tag present: nothing to do"; return 0 ;;
      "$(recipe_hash)") log "base-images: stand-in $tag is up to date: nothing to do"; return 0 ;;
    esac
  elif docker pull -q "$tag" >/dev/null 2>&1; then
    log "base-images: pulled the official $tag"
    return 0
  fi
  ensure_debian_base
  context=$(mktemp -d)
  cp "$recipe"/* "$HOST_CA" "$context/"
  [ -z "$extra" ] || cp -a "$extra/." "$context/"
  log "base-images: building stand-in $tag"
  if ! docker build --network host --label "org.localdev-kube.recipe=$(recipe_hash)" -t "$tag" "$context" \
      >"$cache/build.log" 2>&1; then
    cat "$cache/build.log" >&2
    die "base-images: building $tag failed"
  fi
  rm -rf "$context"
}

build_stand_in python:3.11-slim-bookworm "$images_dir/python"
build_stand_in node:22-bookworm-slim "$images_dir/node" "$(fetch_node)"
build_stand_in postgres:15-bookworm "$images_dir/postgres"
build_stand_in localdev-kube/molecule-debian:bookworm "$images_dir/molecule"
