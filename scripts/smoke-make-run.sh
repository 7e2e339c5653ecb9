#!/usr/bin/env bash
# Proves the README's first command: `make run` in a fresh `git clone` of this
# repository (its own .venv and node_modules, the pip and npm caches reused) on
# a throw-away SQLite database and another port; waits for /api/schema/ and
# /app/, logs in as the demo driver (POST /api/auth/token/, GET /api/me/), then
# stops the server. Every wait is bounded; the server's process group and the
# scratch directory are removed on success and on failure alike.
#   SMOKE_PORT (default 8791), SMOKE_TIMEOUT seconds for make run to serve (default 1200),
#   SMOKE_TMPDIR where the scratch directory goes (default /dev/shm if usable, else $TMPDIR or /tmp)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${SMOKE_PORT:-8791}"
BASE="http://127.0.0.1:$PORT"
START_TIMEOUT="${SMOKE_TIMEOUT:-1200}"
# Scratch space: RAM (/dev/shm) when it is exec-capable with room to spare, as
# removing ~30,000 files from a disk takes a minute on a busy machine.
scratch_base() {
  [ -n "${SMOKE_TMPDIR:-}" ] && { echo "$SMOKE_TMPDIR"; return; }
  if [ -d /dev/shm ] && [ -w /dev/shm ] && ! findmnt -no OPTIONS --target /dev/shm 2>/dev/null | grep -qw noexec \
     && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 3000000 ]; then
    echo /dev/shm
  else
    echo "${TMPDIR:-/tmp}"
  fi
}
SCRATCH="$(mktemp -d "$(scratch_base)/lpg-smoke.XXXXXX")"
LOG="$SCRATCH/make-run.log"
PGID=""
t0=$SECONDS

stop_server() {
  [ -n "$PGID" ] || return 0
  kill -TERM -- "-$PGID" 2>/dev/null || true
  for _ in $(seq 20); do
    kill -0 -- "-$PGID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$PGID" 2>/dev/null || true
  PGID=""
}

cleanup() {
  local rc=$?
  stop_server
  if [ "$rc" -ne 0 ] && [ -f "$LOG" ]; then
    echo "--- smoke: last lines of make run ($LOG):" >&2
    tail -n 40 "$LOG" >&2 || true
  fi
  rm -rf "$SCRATCH"
  [ -e "$SCRATCH" ] && echo "smoke: could not remove $SCRATCH" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

if curl -s -o /dev/null --max-time 3 "$BASE/"; then
  fail "something already answers on port $PORT (set SMOKE_PORT)"
fi

echo "== smoke: git clone into $SCRATCH =="
git clone --quiet "$ROOT" "$SCRATCH/lpg"
cd "$SCRATCH/lpg"
echo "   commit $(git rev-parse --short HEAD)"

echo "== smoke: make run on port $PORT, SQLite at $SCRATCH/db.sqlite3 =="
# A session of its own, so the whole tree (make, runserver) stops as one group.
(
  unset DJANGO_SETTINGS_MODULE
  export DATABASE_URL="sqlite:///$SCRATCH/db.sqlite3"
  exec setsid make run PORT="$PORT" HOST=127.0.0.1 </dev/null >"$LOG" 2>&1
) &
PID=$!
PGID="$PID"
sleep 1
pgid="$(ps -o pgid= -p "$PID" 2>/dev/null | tr -d ' ' || true)"
[ -n "$pgid" ] && PGID="$pgid"

deadline=$((SECONDS + START_TIMEOUT))
until curl -sf -o /dev/null --max-time 30 "$BASE/api/schema/"; do
  kill -0 "$PID" 2>/dev/null || fail "make run exited before serving"
  [ "$SECONDS" -lt "$deadline" ] || fail "no /api/schema/ after ${START_TIMEOUT}s"
  sleep 2
done
echo "   /api/schema/ answers after $((SECONDS - t0)) s (clone, install, migrate, seed, PWA build, serve)"

body="$(curl -sf --max-time 30 "$BASE/app/")" || fail "GET /app/ did not answer 200"
grep -qi '<div id="root"' <<<"$body" || fail "GET /app/ is not the PWA's index.html"
echo "   /app/ serves the PWA"

token_json="$(curl -sf --max-time 30 -X POST "$BASE/api/auth/token/" -H 'content-type: application/json' \
  -d '{"email":"driver1@example.com","password":"demo1234"}')" || fail "POST /api/auth/token/ as driver1 refused"
access="$(.venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access"])' <<<"$token_json")" \
  || fail "no access token in the login answer"
me="$(curl -sf --max-time 30 "$BASE/api/me/" -H "Authorization: Bearer $access")" || fail "GET /api/me/ refused"
.venv/bin/python -c '
import json, sys
me = json.load(sys.stdin)
assert me.get("email") == "driver1@example.com", me
print("   logged in as", me["email"], "role", me.get("role"))
' <<<"$me" || fail "GET /api/me/ is not the demo driver: $me"

stop_server
echo "== smoke: make run on a fresh clone passed in $((SECONDS - t0)) s =="
