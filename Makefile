# The two commands a new user needs: `make run` and `make test`.
# The Python interpreter is looked up here and only here: the newest 3.12+/3.13
# under pyenv, else a python3.12/3.13 on PATH.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYTHON_BASE ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3 $(PYENV_ROOT)/versions/3.13*/bin/python3) $(shell command -v python3.12 python3.13 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
MYSQL_TEST_URL ?= mysql://root@127.0.0.1:3306/lpg
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/lpg
# Run modes: manage.py defaults to config.settings.local; tests always use
# config.settings.test (fast hasher, file SQLite for the concurrency tests).
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.settings.test

# Debian/Ubuntu packages: installed by this script as root, else it prints the
# one `sudo apt-get install ...` line and stops (see scripts/system-deps.sh).
SYSTEM_DEPS = PYTHON="$(PYTHON_BASE)" CHROMIUM="$(CHROMIUM)" scripts/system-deps.sh

.PHONY: run test install migrate seed static lint test-sqlite test-mysql test-postgres test-e2e bench clean \
	doctor python system-deps system-deps-test prod-up prod-down prod-status restore-drill failure-drill

include frontend/frontend.mk

python:
	@test -n "$(PYTHON_BASE)" || { echo "Python 3.12+ not found (pyenv or PATH). Fix: pyenv install 3.12, or sudo apt-get install python3.12 python3.12-venv"; exit 1; }

system-deps: python
	@$(SYSTEM_DEPS) run

system-deps-test: python
	@$(SYSTEM_DEPS) test

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-rules.txt | system-deps
	@test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-rules.txt
	@touch $@

# mysqlclient (MariaDB/MySQL only) when it can be built here; see the script.
$(VENV)/.mysqlclient: requirements-mysql.txt $(VENV)/.installed
	@scripts/install-mysqlclient.sh $(PY) $@

install: $(VENV)/.installed $(VENV)/.mysqlclient

# What is present and missing on this machine, with the command that fixes each.
doctor:
	@PYTHON_BASE="$(PYTHON_BASE)" MYSQL_TEST_URL="$(MYSQL_TEST_URL)" POSTGRES_TEST_URL="$(POSTGRES_TEST_URL)" \
	  CHROMIUM="$(CHROMIUM)" scripts/doctor.sh

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

static: install
	$(PY) manage.py collectstatic --noinput -v0

run: install migrate seed static frontend-build
	@echo "Serving API, admin, docs and the PWA on http://$(HOST):$(PORT)/ (admin: /admin/, API docs: /api/docs/, app: /app/)"
	$(PY) manage.py runserver --noreload --insecure $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(TEST_SETTINGS) $(VENV)/bin/mypy
	$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run

# Same suite on every backend; MariaDB and PostgreSQL run when reachable, and
# must be reachable under CI=true.
test: system-deps-test lint test-sqlite test-mysql test-postgres frontend-test test-e2e
	@echo "make test: all suites passed"

# The `topology` tests bring their own servers (nginx, gunicorn; mariadbd for the
# production stack): they run once, in the SQLite pass, where mariadbd exists.
NO_TOPOLOGY := -m "not topology"
HAVE_MARIADBD := $(shell command -v mariadbd 2>/dev/null || test -x /usr/sbin/mariadbd && echo yes)

test-sqlite: install
	@echo "=== pytest on SQLite ==="
	$(TEST_SETTINGS) DATABASE_URL=sqlite:///var/db-test-base.sqlite3 $(PY) -m pytest $(if $(HAVE_MARIADBD),,$(NO_TOPOLOGY))

test-mysql: install
	@if $(PY) scripts/db_reachable.py "$(MYSQL_TEST_URL)"; then \
	  echo "=== pytest on MariaDB/MySQL ($(MYSQL_TEST_URL)) ==="; \
	  $(TEST_SETTINGS) DATABASE_URL="$(MYSQL_TEST_URL)" $(PY) -m pytest $(NO_TOPOLOGY); \
	elif [ "$$CI" = "true" ]; then echo "MariaDB unreachable at $(MYSQL_TEST_URL) and CI=true"; exit 1; \
	else echo "=== MariaDB not available at $(MYSQL_TEST_URL) (reason above): skipped (set CI=true to require it) ==="; fi

test-postgres: install
	@if $(PY) scripts/db_reachable.py "$(POSTGRES_TEST_URL)"; then \
	  echo "=== pytest on PostgreSQL ($(POSTGRES_TEST_URL)) ==="; \
	  $(TEST_SETTINGS) DATABASE_URL="$(POSTGRES_TEST_URL)" $(PY) -m pytest $(NO_TOPOLOGY); \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL unreachable at $(POSTGRES_TEST_URL) and CI=true"; exit 1; \
	else echo "=== PostgreSQL not available at $(POSTGRES_TEST_URL) (reason above): skipped (set CI=true to require it) ==="; fi

# The PWA journeys in Chromium against a real server on a fresh SQLite database.
test-e2e: install frontend-build
	scripts/e2e.sh

# The write path next to the database's own ceiling (bench/ceiling.py): raw
# statements, the service and the HTTP API under gunicorn, interleaved; then a
# 500-event sync backlog applied and replayed (bench/sync_replay.py); on every
# reachable database; appends to BENCHMARKS.md. First the dispatch solver
# against the sweep baseline on a 300-order day (bench/dispatch.py). Reads at
# a million ledger rows: bench/reads.py (minutes to load; run by hand). Last,
# the evening sync burst of 10 phones through nginx on prod-up's topology
# (bench/fleet.py; 50 and 500 phones by hand, docs/operations.md); then the
# cost of validating an e-invoice, stage by stage (bench/einvoice.py).
bench: install
	$(PY) bench/dispatch.py
	$(PY) bench/ceiling.py && $(PY) bench/sync_replay.py
	@for url in "$(MYSQL_TEST_URL)" "$(POSTGRES_TEST_URL)"; do \
	  if $(PY) scripts/db_reachable.py "$$url"; then \
	    DATABASE_URL="$$url" $(PY) bench/ceiling.py && DATABASE_URL="$$url" $(PY) bench/sync_replay.py || exit 1; \
	  else echo "=== $$url not reachable: skipped ==="; fi; done
	$(PY) bench/fleet.py --phones 10 --spread 20
	$(PY) bench/einvoice.py

# The production topology on this machine, no Docker (docs/operations.md):
# nginx, two gunicorns, MariaDB primary + replica, Redis, Celery worker and beat.
prod-up: install
	@PYTHON="$(PYTHON_BASE)" scripts/system-deps.sh prod
	PY=$(abspath $(PY)) scripts/prod-up.sh

prod-down:
	scripts/prod-down.sh

prod-status:
	scripts/prod-down.sh status

# Restore drill (docs/operations.md): own MariaDB primary + replica + a fresh
# server, load, dump from the replica, damage, dump + binlogs to just before it,
# verify_audit_chain/verify_numbering/reconcile_inventory, RPO and RTO; then the
# same on an own PostgreSQL cluster (base backup + WAL archive) where its server
# binaries exist. DB=mariadb|postgres|both (default both);
# RESTORE_DRILL_ARGS e.g. "--variant A --seconds 10".
DB ?= both
restore-drill: install
	PY=$(abspath $(PY)) scripts/restore-drill.sh --db $(DB) $(RESTORE_DRILL_ARGS)

# Failure drill (docs/operations.md): prod-up on free ports with its own Redis, a
# bounded load through nginx; one gunicorn killed, Redis stopped, the primary
# stopped, the replica stopped; exactly-once checks and figures per scenario.
# FAILURE_DRILL_ARGS e.g. "--only a,c --seconds 30".
failure-drill: install
	PY=$(abspath $(PY)) scripts/failure-drill.sh $(FAILURE_DRILL_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static var/media var/test-media
