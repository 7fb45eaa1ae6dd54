#!/usr/bin/env bash
# Ensures a Docker daemon answers on the default socket and can run
# `docker run --privileged` (minikube's node container). Uses the running one
# when it can; otherwise (root on Debian) installs Debian's docker.io and
# starts dockerd in the background, since these machines have no init system.
#
# The dockerd started here runs containers through the runc wrapper
# (tests/env/runc-wrapper.sh) as its default runtime: where CAP_SYS_RESOURCE
# is missing from the machine's bounding set, plain runc fails privileged
# containers with "unable to apply caps". A daemon this script started
# earlier without the wrapper is restarted with it when that error shows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sock=unix:///var/run/docker.sock
pidfile=/var/run/docker.pid # dockerd's default, left as it is
probe_image=localdev-kube/debian-base:bookworm

# The pid of the answering daemon when this script started it (its command line).
our_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) && [ -n "$pid" ] || return 1
  grep -q "^/usr/sbin/dockerd --host $sock " <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" && echo "$pid"
}

# Succeeds when privileged containers fail here for want of CAP_SYS_RESOURCE.
privileged_broken() {
  local out
  if ! docker image inspect "$probe_image" >/dev/null 2>&1; then
    # No image to try yet: tell from the bounding set (CAP_SYS_RESOURCE is bit 24).
    local bnd
    bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
    if (((16#$bnd >> 24) & 1)); then return 1; fi
    return 0
  fi
  out=$(docker run --rm --privileged --network none "$probe_image" true 2>&1) && return 1
  grep -q 'unable to apply caps' <<<"$out" && return 0
  die "docker: 'docker run --rm --privileged $probe_image true' failed: $out"
}

if docker info >/dev/null 2>&1; then
  runtime=$(docker info -f '{{.DefaultRuntime}}')
  if [ "$runtime" = ldk-runc ]; then
    "$(dirname "$0")/runc-wrapper.sh" >/dev/null # picks up a changed wrapper source
    log "docker: a daemon answers ($(docker version -f '{{.Server.Version}}'), runtime ldk-runc): nothing to do"
    exit 0
  fi
  if ! privileged_broken; then
    log "docker: a daemon answers ($(docker version -f '{{.Server.Version}}'), runtime $runtime) and runs privileged containers: nothing to do"
    exit 0
  fi
  pid=$(our_pid) ||
    die "docker: the running daemon (not started by $0) fails privileged containers with 'unable to apply caps' (CAP_SYS_RESOURCE is not in this machine's bounding set). Fix: build the wrapper with tests/env/runc-wrapper.sh and give that daemon '--add-runtime ldk-runc=<printed path> --default-runtime ldk-runc' (or \"runtimes\" and \"default-runtime\" in its daemon.json), then restart it; or stop it and re-run $0"
  log "docker: dockerd (pid $pid) fails privileged containers ('unable to apply caps'): restarting it with the runc wrapper"
  running=$(docker ps -q | wc -l)
  [ "$running" -eq 0 ] || log "docker: its $running running container(s) stop with it"
  kill "$pid"
  wait_for "! kill -0 $pid" 60 || die "docker: dockerd (pid $pid) did not stop within 60s; stop it (kill $pid) and re-run $0"
fi
apt_install docker.io iptables
[ "$(id -u)" -eq 0 ] || die "docker: no daemon answers; start Docker (or run this as root to let it start dockerd)"
wrapper=$("$(dirname "$0")/runc-wrapper.sh")
# A machine that went down with dockerd running (a VM restored from a snapshot,
# a killed container) leaves containerd's pid file behind. If another process
# has that pid now, dockerd takes it for its containerd and waits for a socket
# nobody serves ("timeout waiting for containerd to start").
containerd_pidfile=/var/run/docker/containerd/containerd.pid
if stale=$(cat "$containerd_pidfile" 2>/dev/null) &&
  [ "$(cat "/proc/$stale/comm" 2>/dev/null)" != containerd ]; then
  log "docker: removing $containerd_pidfile left by a daemon that is gone (pid $stale)"
  rm -f "$containerd_pidfile"
fi
log "docker: starting dockerd with default runtime ldk-runc (log: $LOCALDEV_CACHE/dockerd.log)"
# setsid + nohup: the daemon outlives this script and the make run.
setsid nohup /usr/sbin/dockerd --host "$sock" --add-runtime "ldk-runc=$wrapper" --default-runtime ldk-runc \
  >"$LOCALDEV_CACHE/dockerd.log" 2>&1 </dev/null &
wait_for "docker info" 60 || die "docker: dockerd did not answer within 60s; see $LOCALDEV_CACHE/dockerd.log"
log "docker: daemon $(docker version -f '{{.Server.Version}}') is up (default runtime $(docker info -f '{{.DefaultRuntime}}'))"
