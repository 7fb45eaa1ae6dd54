#!/usr/bin/env bash
# Ensures a Docker daemon answers on the default socket. Uses the running one
# when there is one; otherwise (root on Debian) installs Debian's docker.io and
# starts dockerd in the background, since these machines have no init system.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if docker info >/dev/null 2>&1; then
  log "docker: a daemon answers ($(docker version -f '{{.Server.Version}}')): nothing to do"
  exit 0
fi
apt_install docker.io iptables
[ "$(id -u)" -eq 0 ] || die "docker: no daemon answers; start Docker (or run this as root to let it start dockerd)"
log "docker: starting dockerd (log: $LOCALDEV_CACHE/dockerd.log)"
# setsid + nohup: the daemon outlives this script and the make run.
setsid nohup /usr/sbin/dockerd --host unix:///var/run/docker.sock \
  >"$LOCALDEV_CACHE/dockerd.log" 2>&1 < /dev/null &
wait_for "docker info" 60 || die "docker: dockerd did not answer within 60s; see $LOCALDEV_CACHE/dockerd.log"
log "docker: daemon $(docker version -f '{{.Server.Version}}') is up"
