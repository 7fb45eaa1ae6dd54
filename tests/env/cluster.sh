#!/usr/bin/env bash
# A real Kubernetes API for the tests: etcd, kube-apiserver, kube-controller-manager
# and kube-scheduler, with kwok simulating the nodes (pods get scheduled and report
# Running; no container ever runs, so no image is ever pulled).
#
#   tests/env/cluster.sh up       build the binaries once, start the cluster if it is not
#                                 up; prints the kubeconfig path on stdout
#   tests/env/cluster.sh down     stop every process of the cluster, delete its state
#   tests/env/cluster.sh status   exit 0 and describe the cluster when it is up, else exit 1
#   tests/env/cluster.sh build    only build the binaries (cold: ~15 min on 2 cores)
#
# Use it:  export KUBECONFIG=$(tests/env/cluster.sh up)    (context "kwok-localdev")
#
# Binaries (from the Go module proxy only; nothing else is downloaded, ever):
# - `go install k8s.io/kubernetes/cmd/kube-apiserver@v1.34.x` does not work: that module's
#   go.mod replaces its k8s.io/* staging modules with ./staging/src/k8s.io/<name> (and
#   requires them at v0.0.0); `go install pkg@version` refuses a module with replace
#   directives, and its module zip has no staging/ tree to point them at anyway.
# - What works, and is done here: a small main module of our own
#   ($LOCALDEV_CACHE/k8s/<version>/src/go.mod) that requires k8s.io/kubernetes@<version> and
#   replaces every staging module upstream's go.mod lists with the published
#   k8s.io/<name> v0.<minor>.<patch> of the same release. Replace directives are honoured in
#   the main module; minimal version selection then picks exactly the dependency versions of
#   upstream's go.mod. One `go build` links all five binaries, so they share the compilation.
# - etcd: Kubernetes 1.31+ wants etcd >= 3.5.11 (Debian bookworm has 3.4.23). The etcd
#   server's main package is go.etcd.io/etcd/server/v3; its module has replace directives
#   too, but as a plain requirement of our module it needs none. It is built at the version
#   k8s.io/kubernetes@<version> itself requires (go.etcd.io/etcd/server/v3 v3.6.4 for
#   v1.34.4), which adds no other dependency to the build.
# - Versions are stamped with the ldflags upstream's hack/lib/version.sh sets, so
#   `kube-apiserver --version` and the API's /version report the release (kwokctl picks
#   component flags by it; helm checks charts' kubeVersion against it).
# - kwok and kwokctl have no replace directives: a plain `go install`.
# Binaries live in $LOCALDEV_CACHE/k8s/<version>/bin and $LOCALDEV_CACHE/kwok/<version>/bin;
# changing a version below makes the next `up` build anew and remove the old builds.
# kubectl of the same release is linked into $LOCALDEV_BIN, which the gates have on PATH.
#
# Cluster: `kwokctl --runtime binary` with every binary path given (so it downloads
# nothing) starts the components as local processes, TLS with its own CA, RBAC and the
# default admission plugins on, every port on 127.0.0.1 only. Its state and logs are in
# $LOCALDEV_CACHE/kwok/work/clusters/localdev (LOCALDEV_KWOK_HOME=dir instead of
# $LOCALDEV_CACHE/kwok runs a second, independent cluster). Then the manifests in
# tests/env/cluster/bootstrap/ add:
# - node kwok-node-0 (kwok keeps it Ready and runs its pods' lifecycle);
# - StorageClass `standard`, the default (minikube's name). kwok provisions no volumes, so
#   kube-controller-manager runs with --enable-hostpath-provisioner and the class uses
#   kubernetes.io/host-path: a PVC (e.g. a StatefulSet's volumeClaimTemplates, like the
#   PostgreSQL subchart's) gets a PV under /tmp/hostpath_pv at once and binds, and the PV is
#   deleted with its claim (`down` removes the directories of the PVs left). Pods do not
#   really mount it (no container runs);
# - IngressClass `nginx` (controller k8s.io/ingress-nginx, the default class, as minikube's
#   ingress addon creates it), so Ingress objects validate as on minikube. No ingress
#   controller runs: HTTP through an Ingress is out of reach in this cluster.
set -euo pipefail
# shellcheck source=tests/env/lib.sh
. "$(dirname "$0")/lib.sh"

K8S_VERSION=v1.34.4   # the minor minikube v1.37 starts by default (v1.34), latest patch
KWOK_VERSION=v0.8.0
CLUSTER_NAME=localdev
NODE_NAME=kwok-node-0 # must match tests/env/cluster/bootstrap/node.yaml
BUILD_REV=1           # bump when the build recipe below changes, to rebuild the cache

k8s_dir="$LOCALDEV_CACHE/k8s/$K8S_VERSION"
k8s_bin="$k8s_dir/bin"
kwok_bin="$LOCALDEV_CACHE/kwok/$KWOK_VERSION/bin"
# The cluster's state (kwokctl work dir, kubeconfig); another one runs beside it when set.
kwok_home="${LOCALDEV_KWOK_HOME:-$LOCALDEV_CACHE/kwok}"
export KWOK_WORKDIR="$kwok_home/work"
cluster_dir="$KWOK_WORKDIR/clusters/$CLUSTER_NAME"
kubeconfig="$kwok_home/kubeconfig"
context="kwok-$CLUSTER_NAME"
bootstrap="$(cd "$(dirname "$0")" && pwd)/cluster/bootstrap" # a directory of manifests
k8s_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

# Static binaries, as upstream releases them.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# kwok $KWOK_VERSION needs Go 1.26 (Kubernetes $K8S_VERSION 1.24); a Go from 1.21 on fetches
# the toolchain a module asks for by itself (GOTOOLCHAIN=auto, its default).
need_go() {
  local go_version
  command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null 2>&1 || die "cluster: no Go toolchain; install Go 1.26 or newer and re-run $0"
  go_version=$(go env GOVERSION)
  [ "$(printf '%s\n' go1.21 "$go_version" | sort -V | head -n1)" = go1.21 ] ||
    die "cluster: $go_version is too old to build kwok $KWOK_VERSION; install Go 1.26 or newer"
}

# Field $2 of the JSON object `go mod download -json` printed in $1.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p" <<<"$1" | head -n1; }

k8s_build_key() { echo "kubernetes=$K8S_VERSION rev=$BUILD_REV"; }

k8s_built() {
  local cmd
  [ "$(cat "$k8s_bin/.built" 2>/dev/null)" = "$(k8s_build_key)" ] || return 1
  for cmd in "${k8s_cmds[@]}" etcd; do [ -x "$k8s_bin/$cmd" ] || return 1; done
}

build_k8s() {
  local info gomod staging etcd_version build_date src="$k8s_dir/src" out="$k8s_dir/bin.new" ldflags pkg start
  need_go
  start=$SECONDS
  log "cluster: building Kubernetes $K8S_VERSION and etcd from the Go module proxy (cold: ~15 min on 2 cores)"
  info=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION") || die "cluster: cannot download k8s.io/kubernetes@$K8S_VERSION: $info"
  gomod=$(json_field "$info" GoMod)
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(json_field "$info" Info)")
  [ -f "$gomod" ] || die "cluster: no go.mod for k8s.io/kubernetes@$K8S_VERSION in: $info"
  staging="v0.${K8S_VERSION#v1.}"
  etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' "$gomod")
  [ -n "$etcd_version" ] || die "cluster: k8s.io/kubernetes@$K8S_VERSION does not require go.etcd.io/etcd/server/v3"

  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  {
    printf 'module localdev.kube/k8s-build\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\n' \
      "$(awk '$1 == "go" { print $2; exit }' "$gomod")" "$K8S_VERSION"
    printf '// k8s.io/kubernetes points these at ./staging/src/...: use the published releases.\nreplace (\n'
    awk -v v="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }' "$gomod"
    printf ')\n'
  } >"$src/go.mod"
  grep -q "k8s.io/apiserver => k8s.io/apiserver $staging" "$src/go.mod" ||
    die "cluster: found no staging replace directives in $gomod; the build recipe needs updating"

  local pkgs=() wanted=()
  for pkg in "${k8s_cmds[@]}"; do
    pkgs+=("k8s.io/kubernetes/cmd/$pkg")
    wanted+=("k8s.io/kubernetes/cmd/$pkg@$K8S_VERSION")
  done
  pkgs+=(go.etcd.io/etcd/server/v3)
  wanted+=("go.etcd.io/etcd/server/v3@$etcd_version")
  # Explicit versions: `go get` without one would upgrade to the newest release.
  (cd "$src" && go get "${wanted[@]}" 2>&1 | { grep -v '^go: \(downloading\|added\|upgraded\) ' >&2 || true; }) ||
    die "cluster: resolving the build's modules failed (see above)"
  grep -q "^require k8s.io/kubernetes $K8S_VERSION\$\|^[[:space:]]k8s.io/kubernetes $K8S_VERSION\$" "$src/go.mod" ||
    die "cluster: k8s.io/kubernetes resolved to another version than $K8S_VERSION"
  grep -q "go.etcd.io/etcd/server/v3 $etcd_version" "$src/go.mod" ||
    die "cluster: etcd resolved to another version than $etcd_version: $(grep etcd/server "$src/go.mod")"

  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1"
    ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") -X $pkg.gitTreeState=clean"
    ldflags+=" -X $pkg.buildDate=$build_date"
  done
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/" "${pkgs[@]}") ||
    die "cluster: go build of Kubernetes $K8S_VERSION failed (see above)"
  mv "$out/server" "$out/etcd" # `go build -o dir/` names go.etcd.io/etcd/server/v3 "server"

  [ "$("$out/kube-apiserver" --version)" = "Kubernetes $K8S_VERSION" ] ||
    die "cluster: built kube-apiserver reports '$("$out/kube-apiserver" --version)', not $K8S_VERSION"
  "$out/etcd" --version | grep -qx "etcd Version: ${etcd_version#v}" ||
    die "cluster: built etcd does not report ${etcd_version#v}: $("$out/etcd" --version)"
  k8s_build_key >"$out/.built"
  rm -rf "$k8s_bin"
  mv "$out" "$k8s_bin"
  # Builds of other versions are stale now.
  find "$LOCALDEV_CACHE/k8s" -mindepth 1 -maxdepth 1 ! -name "$K8S_VERSION" -exec rm -rf {} +
  log "cluster: built Kubernetes $K8S_VERSION + etcd ${etcd_version#v} in $((SECONDS - start))s"
}

kwok_built() {
  [ -x "$kwok_bin/kwokctl" ] && [ -x "$kwok_bin/kwok" ] &&
    "$kwok_bin/kwok" --version 2>/dev/null | grep -q "^kwok version $KWOK_VERSION " &&
    "$kwok_bin/kwokctl" --version 2>/dev/null | grep -q "^kwokctl version $KWOK_VERSION "
}

build_kwok() {
  local out="$kwok_bin.new" start=$SECONDS
  need_go
  log "cluster: building kwok $KWOK_VERSION from the Go module proxy"
  rm -rf "$out"
  mkdir -p "$out"
  GOBIN="$out" go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" ||
    die "cluster: go install of kwok $KWOK_VERSION failed (see above)"
  rm -rf "$kwok_bin"
  mv "$out" "$kwok_bin"
  kwok_built || die "cluster: built kwok does not report $KWOK_VERSION: $("$kwok_bin/kwok" --version 2>&1)"
  find "$LOCALDEV_CACHE/kwok" -mindepth 1 -maxdepth 1 -name 'v*' ! -name "$KWOK_VERSION" -exec rm -rf {} +
  log "cluster: built kwok $KWOK_VERSION in $((SECONDS - start))s"
}

built_now=0
ensure_binaries() {
  k8s_built || { build_k8s && built_now=1; }
  kwok_built || { build_kwok && built_now=1; }
  # kubectl of the cluster's release for the tests (they run with $LOCALDEV_BIN on PATH).
  [ "$(readlink "$LOCALDEV_BIN/kubectl" 2>/dev/null)" = "$k8s_bin/kubectl" ] ||
    ln -sfn "$k8s_bin/kubectl" "$LOCALDEV_BIN/kubectl"
}

kctl() { "$k8s_bin/kubectl" --kubeconfig "$kubeconfig" --context "$context" "$@"; }

# kubectl apply|diff of the bootstrap objects, owning their fields.
bootstrap_objects() {
  kctl "$1" --server-side --force-conflicts --field-manager=localdev-cluster -f "$bootstrap"
}

# What the running cluster was made from; a different one is recreated by `up`.
cluster_key() {
  echo "kubernetes=$K8S_VERSION kwok=$KWOK_VERSION rev=$BUILD_REV bootstrap=$(cat "$bootstrap"/*.yaml | sha256sum | cut -c1-16)"
}

cluster_healthy() {
  [ -f "$kubeconfig" ] && [ -x "$k8s_bin/kubectl" ] || return 1
  [ "$(kctl get --raw /readyz --request-timeout=5s 2>/dev/null)" = ok ] || return 1
  [ "$(kctl get node "$NODE_NAME" --request-timeout=5s \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

write_kwokctl_config() {
  mkdir -p "$KWOK_WORKDIR"
  # kwokctl reads $KWOK_WORKDIR/kwok.yaml by default, so every kwokctl command sees it.
  cat >"$KWOK_WORKDIR/kwok.yaml" <<EOF
# Written by tests/env/cluster.sh: every binary is a local file, nothing is downloaded.
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  kubeVersion: $K8S_VERSION
  bindAddress: 127.0.0.1
  securePort: true
  kubeAuthorization: true
  kubeAdmission: true
  quietPull: true
  cacheDir: $kwok_home/cache
  components: [etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok-controller]
  etcdBinary: $k8s_bin/etcd
  kubeApiserverBinary: $k8s_bin/kube-apiserver
  kubeControllerManagerBinary: $k8s_bin/kube-controller-manager
  kubeSchedulerBinary: $k8s_bin/kube-scheduler
  kubectlBinary: $k8s_bin/kubectl
  kwokControllerBinary: $kwok_bin/kwok
componentsPatches:
  - name: kube-controller-manager
    extraArgs:
      - key: enable-hostpath-provisioner
        value: "true"
EOF
}

# PIDs of processes started from this cluster's directory (kwokctl runs them from there).
cluster_pids() { pgrep -f -- "$cluster_dir/" || true; }

stop_cluster() {
  local -a pids
  local path
  # The directories the host-path provisioner made for this cluster's volumes.
  if cluster_healthy; then
    while read -r path; do
      if [[ "$path" == /tmp/hostpath_pv/?* ]]; then rm -rf "$path"; fi
    done < <(kctl get pv -o jsonpath='{range .items[*]}{.spec.hostPath.path}{"\n"}{end}' 2>/dev/null || true)
  fi
  if [ -d "$cluster_dir" ]; then
    "$kwok_bin/kwokctl" delete cluster --name "$CLUSTER_NAME" --kubeconfig "$kubeconfig" -v WARN >&2 ||
      log "cluster: kwokctl delete failed; stopping the processes directly"
  fi
  mapfile -t pids < <(cluster_pids)
  if [ ${#pids[@]} -gt 0 ]; then
    log "cluster: stopping leftover processes: ${pids[*]}"
    kill "${pids[@]}" 2>/dev/null || true
    # shellcheck disable=SC2016 # evaluated by wait_for
    wait_for '[ -z "$(cluster_pids)" ]' 20 || {
      mapfile -t pids < <(cluster_pids)
      [ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null || true
    }
  fi
  [ -z "$(cluster_pids)" ] || die "cluster: processes still running: $(cluster_pids | tr '\n' ' ')"
  rm -rf "$cluster_dir" "$kubeconfig" "$kwok_home/cluster.key"
}

cmd_up() {
  local start=$SECONDS
  ensure_binaries
  if [ "$(cat "$kwok_home/cluster.key" 2>/dev/null)" = "$(cluster_key)" ] && cluster_healthy; then
    if bootstrap_objects diff >/dev/null 2>&1; then
      log "cluster: up ($(kctl config view --minify -o jsonpath='{.clusters[0].cluster.server}')): nothing to do"
    else
      log "cluster: up, but the bootstrap objects drifted (a test changed them?): applying them again"
      bootstrap_objects apply >&2
    fi
    echo "$kubeconfig"
    return 0
  fi
  if [ -d "$cluster_dir" ] || [ -n "$(cluster_pids)" ]; then
    log "cluster: the cluster there is unhealthy or from other settings: recreating it"
    stop_cluster
  fi
  write_kwokctl_config
  log "cluster: starting Kubernetes $K8S_VERSION (kwok $KWOK_VERSION) on 127.0.0.1"
  PATH="$k8s_bin:$kwok_bin:$PATH" "$kwok_bin/kwokctl" create cluster --name "$CLUSTER_NAME" \
    --kubeconfig "$kubeconfig" --timeout 5m --wait 2m -v WARN >&2 9>&- ||
    die "cluster: kwokctl create cluster failed; logs: $cluster_dir/logs"
  bootstrap_objects apply >&2
  wait_for "cluster_healthy" 60 ||
    die "cluster: node $NODE_NAME did not become Ready within 60s; logs: $cluster_dir/logs"
  cluster_key >"$kwok_home/cluster.key"
  log "cluster: up in $((SECONDS - start))s: kubectl --kubeconfig $kubeconfig (context $context)"
  echo "$kubeconfig"
}

cmd_down() {
  if [ ! -d "$cluster_dir" ] && [ -z "$(cluster_pids)" ]; then
    rm -f "$kubeconfig" "$kwok_home/cluster.key"
    log "cluster: not running: nothing to do"
    return 0
  fi
  stop_cluster
  log "cluster: down"
}

cmd_status() {
  if cluster_healthy; then
    log "cluster: up, $(kctl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -n1)" \
      "at $(kctl config view --minify -o jsonpath='{.clusters[0].cluster.server}'), kubeconfig $kubeconfig"
    kctl get nodes >&2
    return 0
  fi
  log "cluster: not up (start it with: $0 up)"
  return 1
}

case "${1:-}" in
  up | down)
    apt_install procps # pgrep
    mkdir -p "$kwok_home"
    # One `up`/`down` at a time. The cluster's processes must not inherit the lock:
    # kwokctl runs with fd 9 closed.
    exec 9>"$kwok_home/.lock"
    flock 9
    "cmd_$1"
    ;;
  status) cmd_status ;;
  build)
    ensure_binaries
    [ "$built_now" -eq 1 ] || log "cluster: Kubernetes $K8S_VERSION, etcd and kwok $KWOK_VERSION are built: nothing to do"
    ;;
  *)
    echo "usage: $0 up|down|status|build" >&2
    exit 2
    ;;
esac
