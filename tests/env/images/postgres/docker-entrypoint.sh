#!/usr/bin/env bash
# First start on an empty PGDATA: initdb with POSTGRES_USER / POSTGRES_PASSWORD,
# create POSTGRES_DB, allow password logins from the network; then run the
# server in the foreground. Other commands run as given.
# As root it hands PGDATA to the postgres user (999) and runs as that user. As
# any other UID (the official image's "arbitrary --user", the chart's 10001),
# PGDATA must be that UID's own or creatable by it: postgres starts only on a
# data directory of its own with mode 0700.
set -euo pipefail
if [ "${1:-postgres}" != postgres ]; then exec "$@"; fi
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  exec runuser -u postgres -- "$0" "$@"
fi
mkdir -p "$PGDATA"
owner=$(stat -c %u "$PGDATA")
if [ "$owner" != "$(id -u)" ]; then
  echo "error: $PGDATA belongs to UID $owner, but this container runs as UID $(id -u):" \
    "PostgreSQL starts only on a data directory of its own (chown -R $(id -u) it first)" >&2
  exit 1
fi
chmod 700 "$PGDATA"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "error: POSTGRES_PASSWORD must be set for a new database" >&2; exit 1; }
  # initdb asks for the name of the user it runs as: a UID without a passwd
  # entry gets one from nss_wrapper for the time of the initialisation, as the
  # official image does.
  if ! getent passwd "$(id -u)" >/dev/null; then
    for wrapper in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
      [ -s "$wrapper" ] && break
    done
    [ -s "$wrapper" ] || { echo "error: UID $(id -u) has no passwd entry and libnss_wrapper.so is missing" >&2; exit 1; }
    NSS_WRAPPER_PASSWD=$(mktemp) NSS_WRAPPER_GROUP=$(mktemp)
    printf 'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\n' "$(id -u)" "$(id -g)" "$PGDATA" >"$NSS_WRAPPER_PASSWD"
    printf 'postgres:x:%s:\n' "$(id -g)" >"$NSS_WRAPPER_GROUP"
    export LD_PRELOAD=$wrapper NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -c "CREATE DATABASE \"$db\"" >/dev/null
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  if [ -n "${NSS_WRAPPER_PASSWD:-}" ]; then
    rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
    unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  fi
  echo "database $db initialised for user $user"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "${@:2}"
