#!/usr/bin/env bash
# Ensures a PostgreSQL server for the tests: Debian's `postgresql` package and
# a dedicated cluster "localdev" listening on 127.0.0.1 only (port
# $LOCALDEV_PG_PORT, default 55432), started with pg_ctlcluster (no systemd
# needed). Data lives where Debian keeps clusters (/var/lib/postgresql/<ver>/
# localdev: the server runs as the `postgres` user, which cannot enter a cache
# under $HOME). A login role and database "localdev" (CREATEDB, so test suites
# make throwaway databases) get a random password kept in
# $LOCALDEV_CACHE/postgres/dsn (mode 0600). Prints the DSN on stdout.
# Idempotent: a second run changes nothing and says so.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cluster=localdev
port="${LOCALDEV_PG_PORT:-55432}"
state="$LOCALDEV_CACHE/postgres"
dsn_file="$state/dsn"
changed=0

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql
  changed=1
fi
[ "$(id -u)" -eq 0 ] || die "postgres: run this as root (it creates and starts a cluster as the postgres user)"
servers=(/usr/lib/postgresql/*/bin/postgres)
[ -x "${servers[0]}" ] || die "postgres: no server binary under /usr/lib/postgresql after installing postgresql"
version=$(printf '%s\n' "${servers[@]}" | sed 's|^/usr/lib/postgresql/\([^/]*\)/.*|\1|' | sort -V | tail -n1)

if ! grep -qx "$version $cluster" <<<"$(pg_lsclusters -h | awk '{print $1" "$2}')"; then
  log "postgres: creating cluster $version/$cluster on 127.0.0.1:$port"
  pg_createcluster "$version" "$cluster" --port "$port" --start-conf manual \
    -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  changed=1
fi
# Loopback only; Debian's postgresql.conf reads conf.d/ last.
conf="/etc/postgresql/$version/$cluster/conf.d/localdev.conf"
want="listen_addresses = '127.0.0.1'"
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  printf '%s\n' "$want" >"$conf"
  pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1 && pg_ctlcluster "$version" "$cluster" restart
  changed=1
fi
actual_port=$(pg_conftool -s "$version" "$cluster" show port)
[ "$actual_port" = "$port" ] || die "postgres: cluster $version/$cluster uses port $actual_port, not $port; set LOCALDEV_PG_PORT=$actual_port or drop it: pg_dropcluster --stop $version $cluster"

if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
  log "postgres: starting cluster $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start
  changed=1
fi
wait_for "pg_isready -q -h 127.0.0.1 -p $port" 30 || die "postgres: no answer on 127.0.0.1:$port; see /var/log/postgresql/postgresql-$version-$cluster.log"

psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }

mkdir -p "$state"
chmod 700 "$state"
role_exists=$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'localdev'")
if [ "$role_exists" != 1 ] || [ ! -s "$dsn_file" ]; then
  password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  verb=$([ "$role_exists" = 1 ] && echo ALTER || echo CREATE)
  log "postgres: ${verb,,} role localdev"
  psql_admin -v pw="$password" <<<"$verb ROLE localdev WITH LOGIN CREATEDB PASSWORD :'pw';"
  (umask 077 && printf 'postgresql://localdev:%s@127.0.0.1:%s/localdev\n' "$password" "$port" >"$dsn_file")
  changed=1
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'localdev'")" != 1 ]; then
  log "postgres: creating database localdev"
  psql_admin -c "CREATE DATABASE localdev OWNER localdev"
  changed=1
fi
dsn=$(cat "$dsn_file")
psql -X -q "$dsn" -tAc 'SELECT 1' >/dev/null || die "postgres: cannot log in with $dsn_file; delete it and run $0 again"

[ "$changed" -eq 0 ] && log "postgres: cluster $version/$cluster answers on 127.0.0.1:$port: nothing to do"
log "postgres: DSN (also in $dsn_file):"
printf '%s\n' "$dsn"
