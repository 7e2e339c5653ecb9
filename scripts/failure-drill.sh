#!/usr/bin/env bash
# Failure drill on the production topology (issue 26, docs/operations.md "Failure
# drill"): scripts/prod-up.sh on free ports under var/failure-drill/ with its own
# MariaDB primary + replica and its own Redis (never the machine's), a bounded
# load through nginx, then one gunicorn killed, Redis stopped, the primary
# stopped, the replica stopped; the exactly-once checks after each. Arguments go
# to scripts/failure_drill.py (--only a,b,c,d, --seconds, --clients,
# --redis-outage, --primary-outage, --work).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PATH="$PATH:/usr/sbin"
for bin in nginx mariadbd mariadb-install-db mariadb redis-server redis-cli openssl; do
  command -v "$bin" >/dev/null 2>&1 || { echo "failure-drill: $bin is missing (scripts/system-deps.sh prod)" >&2; exit 1; }
done
exec "$PY" scripts/failure_drill.py "$@"
