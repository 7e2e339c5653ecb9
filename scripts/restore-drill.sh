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
for bin in mariadbd mariadb-install-db mariadb mariadb-dump mariadb-binlog; do
  command -v "$bin" >/dev/null 2>&1 || { echo "restore-drill: $bin is missing (scripts/system-deps.sh prod)" >&2; exit 1; }
done
exec "$PY" scripts/restore_drill.py "$@"
