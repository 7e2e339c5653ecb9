#!/usr/bin/env bash
# The production topology on one machine, no Docker (issue 12, docs/operations.md):
#
#   nginx :8443 (TLS, self-signed) / :8080  ->  gunicorn :8001 + :8002 (config.settings.production)
#   MariaDB primary :3406 (binlog, GTID)  ->  MariaDB replica :3407 (read_only, replication)
#   Redis (the machine's on :6379, else an own instance), Celery worker, Celery beat
#
# Every process is started here and supervised by pid file: pids in $PROD_VAR/run/,
# logs in $PROD_VAR/log/, MariaDB datadirs in $PROD_VAR/mariadb-{primary,replica}/.
# `make prod-down` (scripts/prod-down.sh) stops them all; `scripts/prod-down.sh status`
# tells which run. Starting again reuses the datadirs (and the generated secrets).
#
# Environment (defaults in brackets):
#   PROD_VAR [var]  PROD_HTTPS_PORT [8443]  PROD_HTTP_PORT [8080]  PROD_WEB_PORTS ["8001 8002"]
#   PROD_DB_PORT [3406]  PROD_REPLICA_PORT [3407]  PROD_DB_NAME [lpg]
#   PROD_REDIS_URL [redis://127.0.0.1:6379]: used when it answers PING, else an own
#     redis-server on PROD_REDIS_PORT [6390]; PROD_OWN_REDIS=1 always starts the own one
#   PROD_REDIS_DB [7] (broker; the cache uses the next number)
#   PROD_SEED [1] load the demo data (seed_demo)   PROD_COLLECTSTATIC [1]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PROD_VAR="$(mkdir -p "${PROD_VAR:-var}" && cd "${PROD_VAR:-var}" && pwd)"
HTTPS_PORT="${PROD_HTTPS_PORT:-8443}"
HTTP_PORT="${PROD_HTTP_PORT:-8080}"
WEB_PORTS="${PROD_WEB_PORTS:-8001 8002}"
DB_PORT="${PROD_DB_PORT:-3406}"
REPLICA_PORT="${PROD_REPLICA_PORT:-3407}"
DB_NAME="${PROD_DB_NAME:-lpg}"
REDIS_URL="${PROD_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_PORT="${PROD_REDIS_PORT:-6390}"
REDIS_DB="${PROD_REDIS_DB:-7}"
PY="${PY:-$ROOT/.venv/bin/python}"
RUN="$PROD_VAR/run"
LOG="$PROD_VAR/log"
mkdir -p "$RUN" "$LOG"

say() { echo "prod-up [${SECONDS}s]: $*"; }
die() { echo "prod-up: $* (make prod-down stops what did start)" >&2; exit 1; }
for bin in nginx mariadbd mariadb-install-db mariadb redis-server redis-cli openssl; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] \
    || die "$bin is missing: run scripts/system-deps.sh prod as root (apt-get install $(scripts/system-deps.sh --list prod))"
done
[ -x "$PY" ] || die "no $PY: run make install first"
PATH="$PATH:/usr/sbin"

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# Start a long-running process in its own session; its pid goes to run/NAME.pid.
spawn() {
  local name="$1"; shift
  if alive "$name"; then say "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  setsid "$@" >>"$LOG/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

wait_until() {  # wait_until SECONDS WHAT COMMAND...
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq $((seconds * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not come up in ${seconds}s (logs in $LOG/)"
}

# --- secrets, generated once per PROD_VAR -----------------------------------
ENV_FILE="$PROD_VAR/prod.env"
if [ ! -f "$ENV_FILE" ]; then
  umask 077
  "$PY" - "$ENV_FILE" <<'PY'
import secrets, sys
with open(sys.argv[1], "w") as f:
    f.write(f"SECRET_KEY={secrets.token_urlsafe(50)}\n")
    f.write(f"AUDIT_HMAC_KEY={secrets.token_urlsafe(48)}\n")
    f.write(f"DB_PASSWORD={secrets.token_urlsafe(24)}\n")
    f.write(f"REPL_PASSWORD={secrets.token_urlsafe(24)}\n")
PY
  umask 022
fi
# shellcheck disable=SC1090
. "$ENV_FILE"

# --- MariaDB primary and replica --------------------------------------------
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(--user=root)
mariadb_init() {  # name: a new datadir (both are initialised at once, in the background)
  local name="$1" dir="$PROD_VAR/mariadb-$1"
  [ -d "$dir/mysql" ] && return 0
  say "initialising $dir"
  mkdir -p "$dir" "$dir.tmp"
  # Each bootstrap its own tmpdir: two at once in /tmp collide on their
  # temporary tables ("Unknown table 'mysql.tmp_user_sys'").
  mariadb-install-db --no-defaults --datadir="$dir" "${USER_OPT[@]}" --auth-root-authentication-method=socket \
    --skip-test-db --tmpdir="$dir.tmp" >"$LOG/mariadb-$name-install.log" 2>&1
}
mariadb_start() {  # name port cnf
  local name="$1" port="$2" cnf="$3" dir="$PROD_VAR/mariadb-$1"
  spawn "mariadb-$name" mariadbd --defaults-file="$ROOT/deploy/mariadb/$cnf" "${USER_OPT[@]}" --datadir="$dir" \
    --port="$port" --bind-address=127.0.0.1 --socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" \
    --log-error="$LOG/mariadb-$name.log"
}
sql() {  # sql NAME "statements" (as root over the unix socket)
  mariadb --no-defaults -uroot --socket="$PROD_VAR/mariadb-$1/mysqld.sock" -N -B -e "$2"
}
mariadb_init primary & init_primary=$!
mariadb_init replica & init_replica=$!
wait "$init_primary" || die "mariadb-install-db failed ($LOG/mariadb-primary-install.log)"
wait "$init_replica" || die "mariadb-install-db failed ($LOG/mariadb-replica-install.log)"
mariadb_start primary "$DB_PORT" primary.cnf
mariadb_start replica "$REPLICA_PORT" replica.cnf
wait_until 60 "MariaDB primary" sql primary "SELECT 1"
wait_until 60 "MariaDB replica" sql replica "SELECT 1"

# Users and the database on the primary (replicated to the replica with everything else).
sql primary "
  CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER IF NOT EXISTS 'lpg'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
  GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO 'lpg'@'127.0.0.1';
  CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
  GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'127.0.0.1';"
# GTID replication from the first transaction of the primary's binlog.
if [ -z "$(sql replica "SHOW SLAVE STATUS")" ]; then
  say "starting replication primary:$DB_PORT -> replica:$REPLICA_PORT"
  sql replica "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$DB_PORT, MASTER_USER='repl',
    MASTER_PASSWORD='$REPL_PASSWORD', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;"
else
  sql replica "START SLAVE" || true
fi
replica_has_db() { [ -n "$(sql replica "SHOW DATABASES LIKE '$DB_NAME'")" ]; }
wait_until 60 "replication of $DB_NAME" replica_has_db
say "MariaDB primary and replica up, replicating"

# --- Redis --------------------------------------------------------------------
if [ "${PROD_OWN_REDIS:-0}" = 1 ] || ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  mkdir -p "$PROD_VAR/redis"
  spawn redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$PROD_VAR/redis" --save "" --appendonly no
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  wait_until 20 "Redis" redis-cli -u "$REDIS_URL" ping
fi

# --- the application's environment (config.settings.production) -------------
APP_ENV="$PROD_VAR/app.env"
cat > "$APP_ENV" <<ENVEOF
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$SECRET_KEY
AUDIT_HMAC_KEY=$AUDIT_HMAC_KEY
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=mysql://lpg:$DB_PASSWORD@127.0.0.1:$DB_PORT/$DB_NAME
DATABASE_REPLICA_URL=mysql://lpg:$DB_PASSWORD@127.0.0.1:$REPLICA_PORT/$DB_NAME
CELERY_BROKER_URL=${REDIS_URL%/}/$REDIS_DB
CACHE_URL=rediscache://${REDIS_URL#redis://}/$((REDIS_DB + 1))
NUM_PROXIES=1
MEDIA_ROOT=$PROD_VAR/media
EMAIL_URL=${EMAIL_URL:-consolemail://}
ENVEOF
chmod 600 "$APP_ENV"
set -a
# shellcheck disable=SC1090
. "$APP_ENV"
set +a

say "migrating $DB_NAME on the primary"
"$PY" manage.py migrate --noinput -v0 >>"$LOG/migrate.log" 2>&1 || die "migrate failed ($LOG/migrate.log)"
seed_pid=""
if [ "${PROD_SEED:-1}" = 1 ]; then  # while the servers start
  "$PY" manage.py seed_demo >>"$LOG/seed.log" 2>&1 & seed_pid=$!
fi
if [ "${PROD_COLLECTSTATIC:-1}" = 1 ]; then
  "$PY" manage.py collectstatic --noinput -v0 >>"$LOG/collectstatic.log" 2>&1 || die "collectstatic failed"
fi

# --- gunicorn x2, Celery worker and beat --------------------------------------
say "starting gunicorn x2, Celery worker and beat, nginx"
n=0
UPSTREAMS=()
for port in $WEB_PORTS; do
  n=$((n + 1))
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG="$LOG/web$n-access.log" \
    spawn "web$n" "$PY" -m gunicorn -c deploy/gunicorn.conf.py config.wsgi:application
  UPSTREAMS+=(--upstream "127.0.0.1:$port")
done
spawn worker "$PY" -m celery -A config worker -l info --concurrency 2 -n "lpg-worker@%h"
spawn beat "$PY" -m celery -A config beat -l info -s "$RUN/celerybeat-schedule"

# --- nginx: TLS with a self-signed certificate for 127.0.0.1/localhost -------
TLS="$PROD_VAR/tls"
if [ ! -f "$TLS/server.crt" ]; then
  mkdir -p "$TLS"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS/server.key" -out "$TLS/server.crt" >/dev/null 2>&1
  chmod 600 "$TLS/server.key"
fi
"$PY" scripts/nginx_conf.py "$PROD_VAR/nginx" --listen "127.0.0.1:$HTTPS_PORT ssl" "${UPSTREAMS[@]}" \
  --server-extra "listen 127.0.0.1:$HTTP_PORT; ssl_certificate $TLS/server.crt; ssl_certificate_key $TLS/server.key;" >/dev/null
nginx -t -q -p "$PROD_VAR/nginx" -c "$PROD_VAR/nginx/nginx.conf" 2>>"$LOG/nginx.log" || die "nginx -t failed ($LOG/nginx.log)"
spawn nginx nginx -p "$PROD_VAR/nginx" -c "$PROD_VAR/nginx/nginx.conf" -g "daemon off;"

answers() {  # answers URL CODE...: the URL answers one of the HTTP codes
  "$PY" - "$@" <<'PY'
import ssl, sys, urllib.error, urllib.request
url, codes = sys.argv[1], {int(c) for c in sys.argv[2:]}
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
# As nginx sends it: without it Django redirects plain HTTP to https.
request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
try:
    code = urllib.request.urlopen(request, timeout=2, context=context).status
except urllib.error.HTTPError as error:
    code = error.code
sys.exit(0 if code in codes else 1)
PY
}
n=0
for port in $WEB_PORTS; do
  n=$((n + 1))
  wait_until 60 "gunicorn web$n" answers "http://127.0.0.1:$port/api/me/" 401
done
wait_until 30 "nginx" answers "https://127.0.0.1:$HTTPS_PORT/api/me/" 401

if [ -n "$seed_pid" ]; then wait "$seed_pid" || die "seed_demo failed ($LOG/seed.log)"; fi
say "up: https://127.0.0.1:$HTTPS_PORT/ (self-signed: $TLS/server.crt), http://127.0.0.1:$HTTP_PORT/ redirects"
say "primary 127.0.0.1:$DB_PORT, replica 127.0.0.1:$REPLICA_PORT, database $DB_NAME; redis $REDIS_URL/$REDIS_DB"
say "pids in $RUN/, logs in $LOG/; manage.py against it: set -a; . $APP_ENV; set +a"
