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
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
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
