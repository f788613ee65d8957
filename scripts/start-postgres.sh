#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints its URL as the last line.
#   scripts/start-postgres.sh [DATA_DIR]     (default /tmp/utvag-hub-pg; PGPORT overrides 54329)
# Idempotent: when the server is already up it only prints the URL.
# Listens on 127.0.0.1 only (unless PGLISTEN says otherwise); fsync stays on. Runs initdb/pg_ctl as the `postgres` OS user.
# For tests with hosts in network namespaces (Tests/reliability/test_two_hosts.py):
#   PGLISTEN  the addresses to listen on (default 127.0.0.1; the URL names the first)
#   PGALLOW   a network (CIDR) whose clients may log in with a password, besides 127.0.0.1
set -euo pipefail

DATA_DIR="${1:-/tmp/utvag-hub-pg}"
PORT="${PGPORT:-54329}"
LISTEN="${PGLISTEN:-127.0.0.1}"
URL="postgres://hub:hub@${LISTEN%%,*}:${PORT}/hub_test"

find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then echo "$dir"; fi
}

BIN=$(find_bin)
if [[ -z "$BIN" ]]; then
    echo "PostgreSQL not found; installing with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends postgresql >&2
    fi
    BIN=$(find_bin)
    [[ -n "$BIN" ]] || { echo "PostgreSQL install failed" >&2; exit 1; }
fi

as_pg() {
    if [[ "$(id -un)" == "postgres" ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

SOCK_DIR="$DATA_DIR/socket"
LOG="$DATA_DIR/server.log"

if [[ -f "$DATA_DIR/PG_VERSION" ]] && as_pg "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
    echo "$URL"
    exit 0
fi

if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    mkdir -p "$DATA_DIR"
    chown postgres:postgres "$DATA_DIR"
    chmod 700 "$DATA_DIR"
    as_pg "$BIN/initdb" -D "$DATA_DIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >&2 2>/dev/null \
        || as_pg "$BIN/initdb" -D "$DATA_DIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --no-locale >&2
fi
mkdir -p "$SOCK_DIR"
chown postgres:postgres "$SOCK_DIR"
if [[ -n "${PGALLOW:-}" ]] && ! grep -q "^host all all ${PGALLOW} " "$DATA_DIR/pg_hba.conf"; then
    echo "host all all ${PGALLOW} scram-sha-256" >> "$DATA_DIR/pg_hba.conf"
fi

as_pg "$BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG" -w -t 60 \
    -o "-p $PORT -c listen_addresses=$LISTEN -c unix_socket_directories=$SOCK_DIR -c fsync=on -c synchronous_commit=on -c max_connections=200 -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3" \
    start >&2

psql_pg() { as_pg "$BIN/psql" -h "$SOCK_DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

if [[ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'hub'")" != "1" ]]; then
    psql_pg -d postgres -c "CREATE ROLE hub LOGIN PASSWORD 'hub'"
fi
if [[ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'hub_test'")" != "1" ]]; then
    psql_pg -d postgres -c "CREATE DATABASE hub_test OWNER hub"
fi

echo "$URL"
