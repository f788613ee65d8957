#!/usr/bin/env bash
# Stops the throwaway PostgreSQL cluster started by scripts/start-postgres.sh.
#   scripts/stop-postgres.sh [DATA_DIR] [--delete]   (default /tmp/utvag-hub-pg)
set -euo pipefail

DATA_DIR="/tmp/utvag-hub-pg"
DELETE=0
for arg in "$@"; do
    case "$arg" in
        --delete) DELETE=1 ;;
        *) DATA_DIR="$arg" ;;
    esac
done

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_pg() {
    if [[ "$(id -un)" == "postgres" ]]; then "$@"
    elif command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
    else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}

if [[ -n "$BIN" && -f "$DATA_DIR/PG_VERSION" ]] && as_pg "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop
else
    echo "PostgreSQL in $DATA_DIR is not running" >&2
fi
if [[ "$DELETE" == 1 ]]; then
    rm -rf -- "$DATA_DIR"
fi
