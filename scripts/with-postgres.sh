#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15+ on loopback, exported as
# TESSERA_TEST_DATABASE_URL (and PG_BIN, PG_DATA, PG_PORT, so tests can stop and start it).
# The server is stopped and its directory removed when the command ends, also on failure.
#   usage: scripts/with-postgres.sh <command> [args...]
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (apt-get install postgresql)" >&2
  exit 3
fi

PG_PORT=${PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
PG_DATA=$(mktemp -d /tmp/tessera-pg.XXXXXX)
chmod 755 "$PG_DATA"

as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DATA"; fi

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DATA"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$PG_DATA/db" -A trust -U postgres --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/db" -w -l "$PG_DATA/server.log" \
  -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null

export PG_BIN PG_DATA PG_PORT
export TESSERA_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT" >&2
"$@"
