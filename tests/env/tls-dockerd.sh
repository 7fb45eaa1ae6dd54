#!/usr/bin/env bash
# A second, real Docker daemon shaped like minikube's own: TCP + TLS on
# 127.0.0.1:2376, client certificates in a minikube-style directory
# ($MINIKUBE_HOME/.minikube/certs: ca.pem cert.pem key.pem). The fake minikube
# CLI (tests/fakes/minikube) hands this daemon out from `docker-env`.
#
#   tests/env/tls-dockerd.sh up       start it (idempotent: "nothing to do" when it answers)
#   tests/env/tls-dockerd.sh down     stop it (data and certificates stay cached)
#   tests/env/tls-dockerd.sh status   exit 0 when it answers over TLS
#   tests/env/tls-dockerd.sh env      print the docker-env of it (export lines)
#   tests/env/tls-dockerd.sh seed [IMAGE...]
#                                     copy images from the default daemon into it (default: the
#                                     base images), skipping those it already has
#
# Everything lives in $LOCALDEV_CACHE/tls-dockerd: data-root, exec-root, pid file,
# log, certificates (server/ for the daemon, .minikube/certs for clients, so
# MINIKUBE_HOME=$LOCALDEV_CACHE/tls-dockerd). It has its own bridge
# ($TLS_DOCKERD_BRIDGE, $TLS_DOCKERD_CIDR) with NAT, so builds through it reach
# the package registries without host networking, and it leaves the first
# daemon's docker0 and iptables chains alone (--iptables=false; the few rules
# it needs are added here and removed by `down`).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TLS_DOCKERD_PORT="${TLS_DOCKERD_PORT:-2376}"
TLS_DOCKERD_BRIDGE="${TLS_DOCKERD_BRIDGE:-ldk-tls0}"
TLS_DOCKERD_CIDR="${TLS_DOCKERD_CIDR:-10.213.250.1/24}"
base="$LOCALDEV_CACHE/tls-dockerd"
server_dir="$base/server"
client_dir="$base/.minikube/certs"
data_root="$base/data"
exec_root="$base/exec"
pidfile="$base/dockerd.pid"
logfile="$base/dockerd.log"
host="tcp://127.0.0.1:$TLS_DOCKERD_PORT"
subnet="$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$TLS_DOCKERD_CIDR")"

tls_docker() {
  DOCKER_HOST="$host" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$client_dir" docker "$@"
}

answers() {
  [ -f "$client_dir/ca.pem" ] && tls_docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

running_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Certificates exist, are valid for another day, and carry the extensions
# strict verifiers (Python >= 3.13: VERIFY_X509_STRICT) require.
certs_ok() {
  [ -f "$client_dir/key.pem" ] && [ -f "$client_dir/cert.pem" ] && [ -f "$server_dir/server-key.pem" ] &&
    openssl x509 -checkend 86400 -noout -in "$server_dir/server.pem" >/dev/null 2>&1 &&
    openssl x509 -noout -ext keyUsage -in "$client_dir/ca.pem" 2>/dev/null | grep -q "Certificate Sign" &&
    openssl x509 -noout -ext authorityKeyIdentifier -in "$client_dir/cert.pem" 2>/dev/null | grep -q "Authority Key Identifier"
}

make_certs() {
  certs_ok && return 0
  log "tls-dockerd: generating a CA, a server and a client certificate (openssl)"
  mkdir -p "$server_dir" "$client_dir"
  chmod 700 "$base/.minikube" "$client_dir" "$server_dir"
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -sha256 -subj "/O=localdev-kube tests/CN=minikubeCA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" \
    -keyout "$client_dir/ca-key.pem" -out "$client_dir/ca.pem" 2>/dev/null
  local common='subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment'
  printf '%b\n%s\n%s\n' "$common" 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' >"$tmp/server.ext"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/O=localdev-kube tests/CN=localhost" \
    -keyout "$server_dir/server-key.pem" -out "$tmp/server.csr" 2>/dev/null
  openssl x509 -req -in "$tmp/server.csr" -CA "$client_dir/ca.pem" -CAkey "$client_dir/ca-key.pem" \
    -CAcreateserial -days 825 -sha256 -extfile "$tmp/server.ext" -out "$server_dir/server.pem" 2>/dev/null
  printf '%b\n%s\n' "$common" 'extendedKeyUsage=clientAuth' >"$tmp/client.ext"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/O=localdev-kube tests/CN=minikube-user" \
    -keyout "$client_dir/key.pem" -out "$tmp/client.csr" 2>/dev/null
  openssl x509 -req -in "$tmp/client.csr" -CA "$client_dir/ca.pem" -CAkey "$client_dir/ca-key.pem" \
    -CAcreateserial -days 825 -sha256 -extfile "$tmp/client.ext" -out "$client_dir/cert.pem" 2>/dev/null
  cp "$client_dir/ca.pem" "$server_dir/ca.pem"
  chmod 600 "$client_dir"/*key.pem "$server_dir/server-key.pem"
}

ensure_bridge() {
  if ! ip link show "$TLS_DOCKERD_BRIDGE" >/dev/null 2>&1; then
    ip link add name "$TLS_DOCKERD_BRIDGE" type bridge
  fi
  ip addr show dev "$TLS_DOCKERD_BRIDGE" | grep -q "inet $TLS_DOCKERD_CIDR " ||
    ip addr add "$TLS_DOCKERD_CIDR" dev "$TLS_DOCKERD_BRIDGE"
  ip link set "$TLS_DOCKERD_BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1
  # NAT out of the bridge, and let its traffic through FORWARD (the first
  # daemon sets the FORWARD policy to DROP).
  iptables -t nat -C POSTROUTING -s "$subnet" ! -o "$TLS_DOCKERD_BRIDGE" -j MASQUERADE 2>/dev/null ||
    iptables -t nat -A POSTROUTING -s "$subnet" ! -o "$TLS_DOCKERD_BRIDGE" -j MASQUERADE
  iptables -C FORWARD -i "$TLS_DOCKERD_BRIDGE" -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD 1 -i "$TLS_DOCKERD_BRIDGE" -j ACCEPT
  iptables -C FORWARD -o "$TLS_DOCKERD_BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD 1 -o "$TLS_DOCKERD_BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
}

remove_bridge() {
  iptables -t nat -D POSTROUTING -s "$subnet" ! -o "$TLS_DOCKERD_BRIDGE" -j MASQUERADE 2>/dev/null || true
  iptables -D FORWARD -i "$TLS_DOCKERD_BRIDGE" -j ACCEPT 2>/dev/null || true
  iptables -D FORWARD -o "$TLS_DOCKERD_BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT 2>/dev/null || true
  if ip link show "$TLS_DOCKERD_BRIDGE" >/dev/null 2>&1; then
    ip link delete "$TLS_DOCKERD_BRIDGE" type bridge
  fi
}

cmd_up() {
  if ! certs_ok && running_pid >/dev/null; then
    log "tls-dockerd: certificates are missing, expiring or lack extensions: renewing them and restarting dockerd"
    cmd_down
  fi
  if answers; then
    log "tls-dockerd: a daemon answers on $host over TLS ($(tls_docker version --format '{{.Server.Version}}')): nothing to do"
    return 0
  fi
  command -v docker >/dev/null 2>&1 || die "tls-dockerd: no docker client on PATH; run tests/env/docker.sh first"
  command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] ||
    die "tls-dockerd: no dockerd; run tests/env/docker.sh first (installs Debian's docker.io)"
  [ "$(id -u)" -eq 0 ] || die "tls-dockerd: starting a second dockerd needs root (sudo $0 up)"
  apt_install openssl iproute2 iptables
  if pid=$(running_pid); then
    die "tls-dockerd: dockerd (pid $pid) runs but does not answer on $host over TLS; see $logfile, or run: $0 down && $0 up"
  fi
  if ss -ltn "sport = :$TLS_DOCKERD_PORT" | grep -q LISTEN; then
    die "tls-dockerd: port $TLS_DOCKERD_PORT is taken by another program; set TLS_DOCKERD_PORT to a free port"
  fi
  # Unix sockets under exec-root must stay under the 108-byte path limit.
  [ "${#exec_root}" -le 60 ] ||
    die "tls-dockerd: exec-root path $exec_root is too long for unix sockets; set LOCALDEV_CACHE to a shorter path"
  mkdir -p "$base" "$data_root" "$exec_root"
  make_certs
  ensure_bridge
  log "tls-dockerd: starting dockerd on $host (log: $logfile)"
  setsid nohup "$(command -v dockerd || echo /usr/sbin/dockerd)" \
    --data-root "$data_root" --exec-root "$exec_root" --pidfile "$pidfile" \
    -H "$host" --tlsverify \
    --tlscacert "$server_dir/ca.pem" --tlscert "$server_dir/server.pem" --tlskey "$server_dir/server-key.pem" \
    --bridge "$TLS_DOCKERD_BRIDGE" --iptables=false --ip6tables=false --ip-masq=false \
    --userland-proxy=false >"$logfile" 2>&1 </dev/null &
  if ! wait_for answers 60; then
    tail -n 20 "$logfile" >&2 || true
    die "tls-dockerd: dockerd did not answer on $host within 60s; see $logfile"
  fi
  log "tls-dockerd: daemon $(tls_docker version --format '{{.Server.Version}}') is up on $host; client certs in $client_dir"
}

cmd_down() {
  local pid
  if pid=$(running_pid); then
    log "tls-dockerd: stopping dockerd (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && die "tls-dockerd: dockerd (pid $pid) did not stop within 30s"
  else
    log "tls-dockerd: not running: nothing to stop"
  fi
  rm -f "$pidfile"
  remove_bridge
}

cmd_status() {
  if answers; then
    echo "tls-dockerd: up on $host (server $(tls_docker version --format '{{.Server.Version}}'), certs in $client_dir)"
    return 0
  fi
  echo "tls-dockerd: down (start it with: $0 up)"
  return 1
}

cmd_env() {
  answers || die "tls-dockerd: not running; start it with: $0 up"
  printf 'export DOCKER_TLS_VERIFY="1"\nexport DOCKER_HOST="%s"\nexport DOCKER_CERT_PATH="%s"\n' "$host" "$client_dir"
  printf 'export MINIKUBE_HOME="%s"\n' "$base"
}

cmd_seed() {
  answers || die "tls-dockerd: not running; start it with: $0 up"
  local images=("$@") image id copied=0
  if [ ${#images[@]} -eq 0 ]; then
    images=(python:3.11-slim-bookworm node:22-bookworm-slim postgres:15-bookworm)
  fi
  for image in "${images[@]}"; do
    id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null) ||
      die "tls-dockerd: the default daemon has no image $image (run tests/env/base-images.sh)"
    if [ "$(tls_docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)" = "$id" ]; then
      continue
    fi
    log "tls-dockerd: copying $image into the TLS daemon"
    docker save "$image" | tls_docker load -q >/dev/null
    copied=$((copied + 1))
  done
  [ "$copied" -gt 0 ] || log "tls-dockerd: ${images[*]} already present: nothing to do"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  seed) shift; cmd_seed "$@" ;;
  *) die "usage: $0 up|down|status|env|seed [IMAGE...]" ;;
esac
