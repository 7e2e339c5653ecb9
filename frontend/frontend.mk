# Makefile fragment for the driver PWA (frontend/). The root Makefile has:
#   include frontend/frontend.mk
# Paths are relative to the repository root, where make runs.

FRONTEND_DIR ?= frontend
E2E_BASE_URL ?= http://127.0.0.1:8765
CHROMIUM ?= /usr/bin/chromium
FRONTEND_STAMP := $(FRONTEND_DIR)/node_modules/.installed

.PHONY: frontend-install frontend-build frontend-budget frontend-test frontend-typecheck frontend-lint frontend-api frontend-api-check \
	e2e e2e-mock e2e-chromium

# npm ci from the committed package-lock.json (the npm cache first, so a fresh
# clone installs quickly); never downloads a browser.
# A node_modules that is a symlink (a worktree sharing another checkout's
# install) is left alone: npm ci would empty the install it points to.
$(FRONTEND_STAMP): $(FRONTEND_DIR)/package.json $(FRONTEND_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "Node 20.19+ with npm not found: install Node 20 LTS or newer (make doctor says how)"; exit 1; }
	@if [ -L $(FRONTEND_DIR)/node_modules ]; then \
	  echo "$(FRONTEND_DIR)/node_modules links to $$(readlink $(FRONTEND_DIR)/node_modules): using that install as it is (npm ci there to update it)"; \
	else cd $(FRONTEND_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund; fi
	@touch $@

frontend-install:
	cd $(FRONTEND_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund
	@touch $(FRONTEND_STAMP)

# Type-checks and builds the PWA into frontend/dist/ (Django serves it under /app/).
frontend-build: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && npm run build

# Issue 23: each app's first screen (entry chunk + its static imports, from
# dist/.vite/manifest.json) stays within 100 KiB of brotli-compressed JS.
frontend-budget: frontend-build
	cd $(FRONTEND_DIR) && node scripts/bundle-budget.mjs

frontend-typecheck: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && npx tsc -b

frontend-lint: $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && npx eslint .

# The PWA's API types (src/api/schema.d.ts) are generated from the server's
# OpenAPI schema (manage.py spectacular, no server needed): frontend-api
# rewrites them, frontend-api-check fails when the committed file is stale.
frontend-api: $(FRONTEND_STAMP) $(VENV)/.installed
	cd $(FRONTEND_DIR) && PYTHON=$(abspath $(PY)) npm run --silent gen:api

frontend-api-check: $(FRONTEND_STAMP) $(VENV)/.installed
	cd $(FRONTEND_DIR) && PYTHON=$(abspath $(PY)) npm run --silent check:api

# The generated API types match the server, the first screens within their
# budget (after a build), lint (with the import boundaries), then the unit tests.
frontend-test: $(FRONTEND_STAMP) frontend-api-check frontend-budget
	cd $(FRONTEND_DIR) && npx eslint . && npx vitest run

# Debian's Chromium (package chromium, never a browser download), driven by
# playwright-core; scripts/system-deps.sh installs it as root, else prints the
# sudo line.
e2e-chromium:
	@test -x $(CHROMIUM) || scripts/system-deps.sh chromium
	@test -x $(CHROMIUM) || { echo "Chromium not found at $(CHROMIUM) (set CHROMIUM=/path/to/chromium)"; exit 1; }

# The Playwright specs against a server already running at $(E2E_BASE_URL),
# with the demo data loaded and frontend/dist built (scripts/e2e.sh starts it).
e2e: e2e-chromium $(FRONTEND_STAMP)
	cd $(FRONTEND_DIR) && E2E_BASE_URL=$(E2E_BASE_URL) CHROMIUM_PATH=$(CHROMIUM) node e2e/run.mjs

# The same specs against the bundled mock API (frontend work without Django).
e2e-mock: e2e-chromium frontend-build
	cd $(FRONTEND_DIR) && E2E_MOCK=1 E2E_BASE_URL=http://127.0.0.1:8766 CHROMIUM_PATH=$(CHROMIUM) node e2e/run.mjs
