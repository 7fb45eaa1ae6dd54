# shellcheck shell=bash
# Helpers for the test-environment scripts (sourced, not run).
here_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/common.sh
. "$here_root/scripts/common.sh"
mkdir -p "$LOCALDEV_CACHE" "$LOCALDEV_BIN"
export PATH="$LOCALDEV_BIN:$PATH"

# Installs Debian packages that are not installed yet (needs root on Debian).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = 'install ok installed' ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages: ${missing[*]}; install them with your package manager (this script installs them itself only on Debian/Ubuntu)"
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  if [ -z "${__apt_updated:-}" ]; then
    apt-get update -qq >/dev/null
    __apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The official release sites (the toolchain role's defaults), tried before anything is
# built from source; point them at a mirror with these variables.
MINIKUBE_RELEASES="${MINIKUBE_RELEASES:-https://storage.googleapis.com/minikube/releases}"
KUBERNETES_RELEASES="${KUBERNETES_RELEASES:-https://dl.k8s.io/release}"
HELM_RELEASES="${HELM_RELEASES:-https://get.helm.sh}"

# release_download URL CHECKSUM_URL DEST: DEST becomes the file at URL when it matches the
# SHA-256 published at CHECKSUM_URL (a bare digest, or "<digest>  <name>"). Returns 1 and
# leaves nothing behind when the site cannot be reached or the digest differs.
release_download() {
  local url=$1 sum_url=$2 dest=$3 tmp want got
  command -v curl >/dev/null 2>&1 || return 1
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.download.XXXXXX")
  if want=$(curl -fsSL --connect-timeout 10 "$sum_url" 2>/dev/null) &&
    curl -fsSL --connect-timeout 10 -o "$tmp" "$url" 2>/dev/null; then
    want=${want%%[[:space:]]*}
    got=$(sha256sum "$tmp") && got=${got%% *}
    if [ "$want" = "$got" ]; then
      chmod 0755 "$tmp" && mv -f "$tmp" "$dest"
      return 0
    fi
    log "$url: its SHA-256 $got is not the published $want: not used"
  fi
  rm -f "$tmp"
  return 1
}

# Waits up to $2 seconds for the command in $1 to succeed.
wait_for() {
  local cmd=$1 seconds=$2 i
  for ((i = 0; i < seconds; i++)); do
    eval "$cmd" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

# The test cluster (tests/env/cluster.sh): its minikube profile, and the kubeconfig
# every test uses, so a user's own ~/.kube/config and current context stay untouched.
LOCALDEV_TEST_PROFILE="${LOCALDEV_TEST_PROFILE:-ldk-test}"
LOCALDEV_TEST_DIR="$LOCALDEV_CACHE/test"
export LOCALDEV_TEST_PROFILE LOCALDEV_TEST_DIR
export KUBECONFIG="${LOCALDEV_TEST_KUBECONFIG:-$LOCALDEV_TEST_DIR/kubeconfig}"
