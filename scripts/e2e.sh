#!/usr/bin/env bash
# Starts a real Django server on a fresh SQLite database with the demo data
# and the built PWA, runs the Playwright specs against it, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${E2E_PORT:-8765}"
# The run happens at 10:00 in Singapore on today's date, whatever the hour CI
# starts at: the journeys plan today's routes, and from 19:00 on the demo's
# trucks have rightly no time left (an evening CI run failed the dispatcher's
# urgent re-plan and the customer's delivery). libfaketime (Debian's
# faketime, scripts/system-deps.sh) sets the clock of everything started
# here: the server, the fixtures, node and Chromium; the clock then runs on.
# E2E_REAL_CLOCK=1 runs at the real hour instead.
if [ "${E2E_REAL_CLOCK:-}" != 1 ]; then
  FAKETIME_LIB="$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)"
  [ -n "$FAKETIME_LIB" ] || scripts/system-deps.sh chromium
  FAKETIME_LIB="$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)"
  [ -n "$FAKETIME_LIB" ] || { echo "libfaketime not found: apt-get install faketime (or E2E_REAL_CLOCK=1)"; exit 1; }
  export LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$(TZ=Asia/Singapore date +%F) 02:00:00" FAKETIME_DONT_RESET=1 TZ=UTC
  echo "=== e2e clock: $FAKETIME UTC (10:00 in Singapore), running on ==="
fi
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
