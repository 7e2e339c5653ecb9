#!/usr/bin/env bash
# Installs requirements-mysql.txt into the virtualenv when mysqlclient can be
# built here (MariaDB/MySQL client headers and a C compiler present); otherwise
# says why and succeeds, unless MariaDB/MySQL is actually needed (DATABASE_URL
# is mysql://, or CI=true), where it fails.   Usage: install-mysqlclient.sh PY STAMP
set -euo pipefail
PY="$1"
STAMP="$2"
needed=false
case "${DATABASE_URL:-}" in mysql*) needed=true ;; esac
[ "${CI:-}" = "true" ] && needed=true

headers=false
if command -v pkg-config >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
  for name in mysqlclient mariadb libmariadb perconaserverclient; do
    if pkg-config --exists "$name" 2>/dev/null; then headers=true; break; fi
  done
fi

if ! $headers; then
  echo "mysqlclient skipped: no MariaDB/MySQL client headers or C compiler" \
       "(sudo apt-get install $(scripts/system-deps.sh --list mysql)); SQLite and PostgreSQL work without it."
  if $needed; then echo "... but MariaDB/MySQL is required here (DATABASE_URL=mysql://... or CI=true)" >&2; exit 1; fi
  rm -f "$STAMP"
  exit 0
fi

if "$PY" -m pip install --quiet -r requirements-mysql.txt; then
  touch "$STAMP"
else
  echo "mysqlclient failed to build although its headers are present (see above)." >&2
  if $needed; then exit 1; fi
  echo "Continuing without it: SQLite and PostgreSQL work without mysqlclient." >&2
fi
