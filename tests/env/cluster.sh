#!/usr/bin/env bash
# The test cluster: a real minikube profile ($LOCALDEV_TEST_PROFILE, docker
# driver, ingress addon) started through the project's own minikube role
# (tests/env/cluster.yml), on the settings a user behind an air gap would give
# it: the node image, Kubernetes images and ingress controller that this
# machine can have (see the scripts called in `build`).
#
#   tests/env/cluster.sh build    build or fetch every piece; write the role's settings
#                                 to $LOCALDEV_TEST_DIR/cluster-vars.yml
#   tests/env/cluster.sh up       build, then run the minikube role (starts, or restarts a
#                                 stopped, profile; a profile made from other pieces is
#                                 deleted first); nothing to do when it runs from these pieces
#   tests/env/cluster.sh down     stop the profile (its disk and image cache stay for the next run)
#   tests/env/cluster.sh delete   delete the profile
#   tests/env/cluster.sh status   exit 0 when the profile runs
#
# Everything talks to the cluster through KUBECONFIG=$LOCALDEV_TEST_KUBECONFIG
# (tests/env/lib.sh), so a user's own kubeconfig and current context stay as they are.
set -euo pipefail
# shellcheck source=tests/env/lib.sh
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
vars="$LOCALDEV_TEST_DIR/cluster-vars.yml"
key_file="$LOCALDEV_TEST_DIR/cluster.key"

K8S_VERSION=v1.34.4
KICBASE_OFFICIAL=gcr.io/k8s-minikube/kicbase:v0.0.48
KICBASE_STAND_IN=localdev-kube/kicbase:v0.0.48-bookworm

minikube() { "$LOCALDEV_BIN/minikube" -p "$LOCALDEV_TEST_PROFILE" "$@"; }

# The role's ingress settings from the `addons enable` arguments ingress-images.sh prints
# (--images=Name=image,... --registries=Name=registry,...; none when the official images
# can be pulled): the addon's overrides, and the images to load into the node.
ingress_vars() {
  python3 - "$1" <<'PY'
import json, sys
# "--images=A=x:1,B=y:2 --registries=A=r" -> {"A": "x:1", "B": "y:2"}, {"A": "r"}
args = dict(arg[2:].split("=", 1) for arg in sys.argv[1].split() if arg.startswith("--"))
images, registries = ({k: v for k, v in (kv.split("=", 1) for kv in args.get(key, "").split(",") if kv)}
                      for key in ("images", "registries"))
refs = sorted({f"{registries[k]}/{v}" if registries.get(k) else v for k, v in images.items()})
# The base images the app's Dockerfiles and the chart's PostgreSQL start from (a laptop's
# node would pull them), and the ingress images.
base = ["python:3.11-slim-bookworm", "node:22-bookworm-slim", "postgres:15-bookworm"]
for key, value in (("minikube_addon_images", {"ingress": images} if images else {}),
                   ("minikube_addon_registries", {"ingress": registries} if registries else {}),
                   ("minikube_load_images", base + refs)):
    print(f"{key}: {json.dumps(value)}")
PY
}

# Which node image and ingress controller: official when the daemon has or can pull it.
write_vars() {
  local base_image ingress
  if docker image inspect "$KICBASE_OFFICIAL" >/dev/null 2>&1 || docker pull -q "$KICBASE_OFFICIAL" >/dev/null 2>&1; then
    base_image=""
  else
    "$here/node-image.sh" >&2
    base_image=$KICBASE_STAND_IN
  fi
  ingress=$(ingress_vars "$("$here/ingress-images.sh")")
  mkdir -p "$LOCALDEV_TEST_DIR"
  cat >"$vars.tmp" <<EOF
# Written by tests/env/cluster.sh: the minikube role's settings for this machine,
# which reaches no container registry (the knobs a user behind an air gap sets too).
minikube_profile: $LOCALDEV_TEST_PROFILE
minikube_kubernetes_version: $K8S_VERSION
minikube_base_image: "$base_image"
# Images come from minikube's cache, filled by tests/env/kubernetes.sh.
minikube_preload: false
# The tests run as root, where minikube wants --force for the docker driver.
minikube_force: true
minikube_check_memory: false
$ingress
EOF
  mv "$vars.tmp" "$vars"
}

cmd_build() {
  "$here/runc-wrapper.sh" >/dev/null
  "$here/minikube-build.sh" >/dev/null
  "$here/kubernetes.sh" build
  write_vars
  log "cluster: settings for the minikube role in $vars"
}

# The role loads minikube_load_images when it runs; a profile that still runs skips it, so an
# image the host rebuilt since (a base-image stand-in whose recipe changed) is loaded here,
# when the node does not hold the host's image ID under its name. Straight into the node's
# daemon: `minikube image load` first removes the old tag, and leaves it (saying nothing)
# while a container uses it.
load_rebuilt_images() {
  local ref node_images
  node_images=$(minikube image ls --format json)
  for ref in $(NODE_IMAGES=$node_images python3 - "$vars" <<'PY'
import json, os, re, subprocess, sys
refs = json.loads(re.search(r"^minikube_load_images: (.*)$", open(sys.argv[1]).read(), re.M).group(1))
node = json.loads(os.environ["NODE_IMAGES"] or "[]")
def names(ref):  # how the node's image list names an image the host calls ref
    return {ref, f"docker.io/{ref}", f"docker.io/library/{ref}"}
for ref in refs:
    host = subprocess.run(["docker", "image", "inspect", "-f", "{{.Id}}", ref], capture_output=True, text=True)
    want = host.stdout.strip().removeprefix("sha256:")
    held = {i["id"].removeprefix("sha256:") for i in node if names(ref) & set(i.get("repoTags") or [])}
    if want and want not in held:
        print(ref)
PY
  ); do
    log "cluster: loading $ref (the host holds another build than the node)"
    docker save "$ref" | (eval "$(minikube docker-env --shell bash)" && docker load -q) >&2 ||
      die "cluster: loading $ref into profile $LOCALDEV_TEST_PROFILE failed"
  done
}

# What the profile is made of; a profile made from other pieces is recreated.
cluster_key() {
  local base
  base=$(sed -n 's/^minikube_base_image: "\(.\+\)"$/\1/p' "$vars")
  {
    cat "$vars"
    "$LOCALDEV_BIN/minikube" version --short
    # shellcheck disable=SC2046 # one image reference a word
    docker image inspect -f '{{.Id}}' ${base:+"$base"} $("$here/kubernetes.sh" images)
  } | sha256sum | cut -c1-16
}

cmd_up() {
  local start=$SECONDS key
  cmd_build
  key=$(cluster_key)
  if [ "$(cat "$key_file" 2>/dev/null)" = "$key" ] && minikube status >/dev/null 2>&1; then
    # The role brought it up from these pieces and it still runs: each gate calls `up`,
    # and only the first needs the role's run.
    load_rebuilt_images
    log "cluster: profile $LOCALDEV_TEST_PROFILE runs, made from these pieces: nothing to do"
    return 0
  fi
  if grep -q "\"Name\":\"$LOCALDEV_TEST_PROFILE\"" <<<"$(minikube profile list -o json 2>/dev/null)" &&
    [ "$(cat "$key_file" 2>/dev/null)" != "$key" ]; then
    log "cluster: profile $LOCALDEV_TEST_PROFILE was made from other pieces: deleting it"
    minikube delete >&2
  fi
  log "cluster: the minikube role brings up profile $LOCALDEV_TEST_PROFILE"
  ANSIBLE_CONFIG="$here/../../ansible.cfg" "$LOCALDEV_VENV/bin/ansible-playbook" \
    -i "$here/../../inventory/hosts.yml" -e "@$vars" "$here/cluster.yml" >&2 ||
    die "cluster: the minikube role failed (see above); minikube's logs: $LOCALDEV_BIN/minikube -p $LOCALDEV_TEST_PROFILE logs"
  echo "$key" >"$key_file"
  log "cluster: up in $((SECONDS - start))s: kubectl --kubeconfig $KUBECONFIG --context $LOCALDEV_TEST_PROFILE"
}

cmd_status() {
  minikube status >&2
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down)
    if [ -x "$LOCALDEV_BIN/minikube" ] && minikube status >/dev/null 2>&1; then
      minikube stop >&2
    else
      log "cluster: profile $LOCALDEV_TEST_PROFILE is not running: nothing to do"
    fi
    ;;
  delete) [ ! -x "$LOCALDEV_BIN/minikube" ] || minikube delete >&2; rm -f "$key_file" ;;
  status) cmd_status ;;
  *) echo "usage: $0 build|up|down|delete|status" >&2; exit 2 ;;
esac
