#!/usr/bin/env bash
# Starts a real Django server on a fresh SQLite database with the demo data
# and the built PWA, runs the Playwright specs against it, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${E2E_PORT:-8765}"
DB="var/e2e.sqlite3"
rm -f "$DB" "$DB-wal" "$DB-shm"
export DATABASE_URL="sqlite:///$PWD/$DB" DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py runserver --noreload --insecure "127.0.0.1:$PORT" >var/e2e-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$PORT/api/schema/" -o /dev/null && break
  sleep 0.5
done
echo "=== Playwright e2e against http://127.0.0.1:$PORT (SQLite, demo data) ==="
make --no-print-directory e2e E2E_BASE_URL="http://127.0.0.1:$PORT"
