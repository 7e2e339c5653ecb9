#!/usr/bin/env bash
# The Debian/Ubuntu packages the project needs, in one place. Used by
# `make install` (profile run), `make test` (profile test), the e2e target
# (profile chromium), `make doctor` (--list) and .ci/run (profile test, CI=true).
#
#   scripts/system-deps.sh run|test|chromium|prod   install what is missing (as root),
#                                              or print the one `sudo apt-get install`
#                                              line and stop (without root)
#   scripts/system-deps.sh --list GROUP        print a group's packages
#   scripts/system-deps.sh --missing PROFILE   print the missing required packages
#
# Groups:
#   run      WeasyPrint's Pango and a font (PDF invoices; imported at start-up)
#   mysql    what `pip install mysqlclient` needs to build (MariaDB/MySQL only:
#            the embedded SQLite default and PostgreSQL do without it)
#   test     QR decoding and PDF checks in pytest, Chromium for the PWA journeys
#   proxy    nginx, the reverse proxy in front of gunicorn (deploy/nginx.conf):
#            the proxy tests in `make test` and `make prod-up` start their own
#   prod     what `make prod-up` runs beside Python: nginx, mariadbd (primary and
#            replica instances under var/), redis-server
# mysql is required by `run` only when DATABASE_URL is mysql://, and by `test`
# when CI=true or when running as root (then it is simply installed); otherwise
# the MariaDB suite is skipped and the missing packages are named.
# Environment: PYTHON (the interpreter the Makefile chose: its venv module is
# checked too), CHROMIUM (a Chromium binary already present), DATABASE_URL, CI.
set -euo pipefail

# SYSTEM_DEPS_<GROUP> overrides a list (another distribution's names, or tests).
RUN_PKGS="${SYSTEM_DEPS_RUN:-libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core}"
MYSQL_PKGS="${SYSTEM_DEPS_MYSQL:-build-essential pkg-config libmariadb-dev}"
TEST_PKGS="${SYSTEM_DEPS_TEST:-libzbar0 poppler-utils chromium faketime}"
CHROMIUM_PKGS="${SYSTEM_DEPS_CHROMIUM:-chromium faketime}"
PROXY_PKGS="${SYSTEM_DEPS_PROXY:-nginx}"
PROD_PKGS="${SYSTEM_DEPS_PROD:-nginx mariadb-server redis-server}"

group() {
  case "$1" in
    run) echo "$RUN_PKGS" ;;
    mysql) echo "$MYSQL_PKGS" ;;
    test) echo "$TEST_PKGS" ;;
    chromium) echo "$CHROMIUM_PKGS" ;;
    proxy) echo "$PROXY_PKGS" ;;
    prod) echo "$PROD_PKGS" ;;
    *) echo "unknown group: $1" >&2; exit 2 ;;
  esac
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing_of() {
  local out="" p
  for p in "$@"; do installed "$p" || out="$out $p"; done
  echo "${out# }"
}

is_root() { [ "$(id -u)" = "0" ]; }

# A Debian/Ubuntu python3.X without ensurepip cannot create the virtualenv.
venv_pkg() {
  [ -n "${PYTHON:-}" ] || return 0
  "$PYTHON" -c "import ensurepip, venv" 2>/dev/null && return 0
  case "$PYTHON" in
    /usr/bin/*) "$PYTHON" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])' ;;
  esac
}

# A Chromium given by path (CHROMIUM=..., e.g. Ubuntu's snap /snap/bin/chromium)
# stands in for the Debian package.
without_chromium() {
  local p out=""
  for p in "$@"; do
    if [ "$p" = chromium ] && [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ] && ! installed chromium; then continue; fi
    out="$out $p"
  done
  echo "${out# }"
}

# Required and optional packages of a profile.
profile_pkgs() {
  local profile="$1" required optional=""
  case "$profile" in
    run)
      required="$RUN_PKGS $(venv_pkg)"
      case "${DATABASE_URL:-}" in mysql*) required="$required $MYSQL_PKGS" ;; *) optional="$MYSQL_PKGS" ;; esac
      ;;
    test)
      required="$RUN_PKGS $TEST_PKGS $PROXY_PKGS $(venv_pkg)"
      if [ "${CI:-}" = "true" ] || is_root; then required="$required $MYSQL_PKGS"; else optional="$MYSQL_PKGS"; fi
      ;;
    chromium) required="$CHROMIUM_PKGS" ;;
    prod) required="$RUN_PKGS $MYSQL_PKGS $PROD_PKGS $(venv_pkg)" ;;
    *) echo "usage: $0 run|test|chromium|prod | --list GROUP | --missing PROFILE" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  echo "$(without_chromium $required)|$optional"
}

case "${1:-run}" in
  --list) group "${2:?group}"; exit 0 ;;
  --missing)
    command -v dpkg-query >/dev/null 2>&1 || exit 0
    pkgs="$(profile_pkgs "${2:?profile}")"
    # shellcheck disable=SC2086
    missing_of ${pkgs%%|*}
    exit 0
    ;;
esac
profile="${1:-run}"
pkgs="$(profile_pkgs "$profile")"
required="${pkgs%%|*}"
optional="${pkgs#*|}"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure the equivalents of these are installed:"
  echo "  $required $optional"
  exit 0
fi

# shellcheck disable=SC2086
missing="$(missing_of $required)"
# shellcheck disable=SC2086
missing_optional="$(missing_of $optional)"

if [ -n "$missing" ]; then
  if is_root; then
    echo "system-deps ($profile): installing $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null
    # shellcheck disable=SC2086
    still="$(missing_of $missing)"
    if [ -n "$still" ]; then
      echo "system-deps: apt-get did not install: $still" >&2
      exit 1
    fi
  else
    {
      echo
      case "$profile" in
        run) what="make install / make run" ;; test) what="make test" ;; prod) what="make prod-up" ;; *) what="the PWA journeys (make test-e2e)" ;;
      esac
      echo "Missing system packages for $what (not root, so not installing them):"
      echo
      echo "    sudo apt-get install $missing${missing_optional:+ $missing_optional}"
      echo
      echo "Run that line, then the same make command again (or run the make command as root)."
    } >&2
    exit 1
  fi
fi

if [ -n "$missing_optional" ]; then
  echo "system-deps ($profile): no MariaDB/MySQL client headers, so mysqlclient is not built; only"
  echo "  DATABASE_URL=mysql://... and the MariaDB test suite need it. To add it: sudo apt-get install $missing_optional"
fi
exit 0
