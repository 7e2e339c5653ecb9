#!/usr/bin/env bash
# Restore drill on MariaDB (issue 26, docs/operations.md "Restore drill"): own
# primary + replica + a fresh server under var/restore-drill/, a bounded load,
# a dump from the replica, damage, the dump plus binlogs replayed to just before
# it, the project's checks and RPO/RTO. Arguments go to scripts/restore_drill.py
# (--variant A|B|both, --seconds, --clients, --max-docs, --work, --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PATH="$PATH:/usr/sbin"
# --db mariadb|postgres|both (first argument, from the Makefile's DB); both: PostgreSQL
# only where its server binaries exist (said so when they do not).
db=both
if [ "${1:-}" = --db ]; then db="$2"; shift 2; fi
if [ "$db" != postgres ]; then
  for bin in mariadbd mariadb-install-db mariadb mariadb-dump mariadb-binlog; do
    command -v "$bin" >/dev/null 2>&1 || { echo "restore-drill: $bin is missing (scripts/system-deps.sh prod)" >&2; exit 1; }
  done
fi
pg_bin="${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ "$db" != mariadb ] && { ! [ -x "$pg_bin/postgres" ] || ! [ -x "$pg_bin/pg_basebackup" ]; }; then
  if [ "$db" = postgres ]; then
    echo "restore-drill: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or PG_BINDIR): apt-get install postgresql" >&2
    exit 1
  fi
  [ "$db" = both ] && echo "restore-drill: no PostgreSQL server binaries here: MariaDB only" >&2
  db=mariadb
fi
exec "$PY" scripts/restore_drill.py --db "$db" "$@"
