#!/usr/bin/env bash
# Stop what scripts/prod-up.sh started, by the pids it recorded in $PROD_VAR/run/
# (nothing else is touched): nginx first, then the web and Celery processes,
# then the replica and the primary (clean MariaDB shutdowns, data kept).
#   scripts/prod-down.sh          stop everything
#   scripts/prod-down.sh status   which processes run, and the replica's state
# PROD_VAR [var] as for prod-up.sh. The datadirs stay: `make prod-up` resumes;
# remove $PROD_VAR/mariadb-* and $PROD_VAR/prod.env to start from nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
PROD_VAR="${PROD_VAR:-var}"
RUN="$PROD_VAR/run"
ORDER="nginx web1 web2 web3 web4 worker beat redis mariadb-replica mariadb-primary"

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

if [ "${1:-stop}" = status ]; then
  rc=0
  for name in $ORDER; do
    [ -f "$RUN/$name.pid" ] || continue
    if running "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: NOT running"; rc=1; fi
  done
  if running mariadb-replica; then
    PATH="$PATH:/usr/sbin" mariadb --no-defaults -uroot --socket="$PROD_VAR/mariadb-replica/mysqld.sock" -e "SHOW SLAVE STATUS\G" \
      | grep -E "Slave_(IO|SQL)_Running:|Seconds_Behind_Master|Gtid_IO_Pos|Last_(IO|SQL)_Error:" || true
  fi
  exit $rc
fi

# stop SECONDS NAME...: TERM them all at once, wait, then KILL what is left.
stop() {
  local seconds="$1" name pid pids=() names=()
  shift
  for name in "$@"; do
    [ -f "$RUN/$name.pid" ] || continue
    pid="$(cat "$RUN/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name")
    else
      rm -f "$RUN/$name.pid"
    fi
  done
  local i
  for _ in $(seq $((seconds * 10))); do
    local left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    pid="${pids[$i]}"; name="${names[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      echo "prod-down: $name (pid $pid) still running after ${seconds}s: KILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "prod-down: stopped $name (pid $pid)"
    rm -f "$RUN/$name.pid"
  done
}

# nginx first (no new requests), then the application, then the data stores.
stop 30 nginx
stop 30 web1 web2 web3 web4 worker beat
stop 60 redis mariadb-replica
stop 60 mariadb-primary
