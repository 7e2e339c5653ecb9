#!/usr/bin/env bash
# `make doctor`: what this machine has and lacks for `make run` and `make test`,
# with the command that fixes each. Exit 1 when something `make run` needs is
# missing (and 0 otherwise: databases and Redis are optional outside CI).
# Environment (the Makefile passes it): PYTHON_BASE, MYSQL_TEST_URL,
# POSTGRES_TEST_URL, CHROMIUM.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON_BASE="${PYTHON_BASE:-}"
MYSQL_TEST_URL="${MYSQL_TEST_URL:-mysql://root@127.0.0.1:3306/lpg}"
POSTGRES_TEST_URL="${POSTGRES_TEST_URL:-postgres://postgres@127.0.0.1:5432/lpg}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
run_broken=0

ok() { printf '  ok       %-24s %s\n' "$1" "$2"; }
miss() { printf '  MISSING  %-24s %s\n           %-24s fix: %s\n' "$1" "$2" "" "$3"; }
opt() { printf '  absent   %-24s %s\n           %-24s fix: %s\n' "$1" "$2" "" "$3"; }

# host and port of a URL (python-free: doctor must work before Python is found)
hostport() {
  local rest="${1#*://}"
  rest="${rest#*@}"
  rest="${rest%%/*}"
  local host="${rest%%:*}" port="$2"
  [ "$rest" != "$host" ] && port="${rest#*:}"
  echo "$host $port"
}
listening() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

echo "make run needs:"
if [ -n "$PYTHON_BASE" ] && [ -x "$PYTHON_BASE" ]; then
  ok "Python 3.12+" "$("$PYTHON_BASE" --version 2>&1) ($PYTHON_BASE)"
  if "$PYTHON_BASE" -c "import ensurepip, venv" 2>/dev/null; then
    ok "Python venv module" "present"
  else
    miss "Python venv module" "absent for $PYTHON_BASE" "sudo apt-get install $("$PYTHON_BASE" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])')"
    run_broken=1
  fi
else
  miss "Python 3.12+" "not under pyenv nor python3.12/3.13 on PATH" "pyenv install 3.12   (or: sudo apt-get install python3.12 python3.12-venv)"
  run_broken=1
fi

node_version="$(node --version 2>/dev/null || true)"
if [ -n "$node_version" ]; then
  IFS=. read -r major minor _ <<<"${node_version#v}"
  if [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; }; then
    ok "Node 20.19+" "$node_version ($(command -v node)), npm $(npm --version 2>/dev/null || echo MISSING)"
  else
    miss "Node 20.19+" "$node_version is too old" "install Node 20 LTS or newer (https://nodejs.org/en/download, or nvm install 20)"
    run_broken=1
  fi
else
  miss "Node 20.19+" "node not on PATH" "install Node 20 LTS or newer (https://nodejs.org/en/download, or nvm install 20)"
  run_broken=1
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing_run=""
  for p in $(scripts/system-deps.sh --list run); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_run="$missing_run $p"
  done
  if [ -z "$missing_run" ]; then
    ok "Pango (PDF invoices)" "$(scripts/system-deps.sh --list run)"
  else
    miss "Pango (PDF invoices)" "missing:$missing_run" "sudo apt-get install$missing_run   (make install does it as root)"
    run_broken=1
  fi
else
  echo "  ?        system libraries      not a Debian/Ubuntu system: install Pango 1.44+ and a TrueType font yourself"
fi

echo
echo "make test needs, besides (MariaDB and PostgreSQL are skipped when absent, required under CI=true):"
dpkg_missing() {
  local out="" p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
  done
  echo "$out"
}
if command -v dpkg-query >/dev/null 2>&1; then
  m="$(dpkg_missing libzbar0 poppler-utils)"
  if [ -z "$m" ]; then ok "zbar, poppler" "libzbar0 poppler-utils (QR and PDF checks)"
  else miss "zbar, poppler" "missing:$m" "sudo apt-get install$m   (make test does it as root)"; fi
  m="$(dpkg_missing nginx)"
  if [ -z "$m" ]; then ok "nginx" "the proxy tests and make prod-up start their own"
  else miss "nginx" "missing" "sudo apt-get install nginx   (make test does it as root)"; fi
  # shellcheck disable=SC2046
  m="$(dpkg_missing $(scripts/system-deps.sh --list mysql))"
  if [ -z "$m" ]; then ok "MariaDB client headers" "$(scripts/system-deps.sh --list mysql) (to build mysqlclient)"
  else opt "MariaDB client headers" "missing:$m (only MariaDB/MySQL needs them)" "sudo apt-get install$m   (make test does it as root)"; fi
fi
if [ -x "$CHROMIUM" ]; then
  ok "Chromium" "$("$CHROMIUM" --version 2>/dev/null | head -1) ($CHROMIUM)"
else
  miss "Chromium" "not at $CHROMIUM" "sudo apt-get install chromium   (Debian package; make test does it as root; or CHROMIUM=/path)"
fi

if [ -x .venv/bin/python ]; then
  if .venv/bin/python -c "import MySQLdb" 2>/dev/null; then ok "mysqlclient (in .venv)" "installed"
  else opt "mysqlclient (in .venv)" "not installed" "install the MariaDB client headers above, then make install"; fi
fi

read -r h p <<<"$(hostport "$MYSQL_TEST_URL" 3306)"
if listening "$h" "$p"; then ok "MariaDB/MySQL server" "listening on $h:$p ($MYSQL_TEST_URL)"
elif command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1; then
  opt "MariaDB/MySQL server" "installed, not listening on $h:$p" "sudo service mariadb start"
else opt "MariaDB/MySQL server" "not installed" "sudo apt-get install mariadb-server && sudo service mariadb start"; fi

read -r h p <<<"$(hostport "$POSTGRES_TEST_URL" 5432)"
if listening "$h" "$p"; then ok "PostgreSQL server" "listening on $h:$p ($POSTGRES_TEST_URL)"
elif command -v pg_ctlcluster >/dev/null 2>&1; then
  opt "PostgreSQL server" "installed, not listening on $h:$p" "sudo service postgresql start"
else opt "PostgreSQL server" "not installed" "sudo apt-get install postgresql && sudo service postgresql start"; fi

echo
echo "production only (docker-compose.yml brings its own):"
read -r h p <<<"$(hostport "$REDIS_URL" 6379)"
if listening "$h" "$p"; then ok "Redis" "listening on $h:$p"
elif command -v redis-server >/dev/null 2>&1; then opt "Redis" "installed, not listening on $h:$p" "sudo service redis-server start"
else opt "Redis" "not installed (make run uses an in-process cache and eager tasks)" "sudo apt-get install redis-server"; fi

echo
if [ "$run_broken" = 1 ]; then
  echo "make run cannot start yet: fix the MISSING lines of its section above."
  exit 1
fi
echo "make run has what it needs; make test installs its own missing packages when run as root."
