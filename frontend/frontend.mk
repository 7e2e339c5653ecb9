# Makefile fragment for the driver PWA. The root Makefile includes it:
#   include frontend/frontend.mk
# Paths are relative to the repository root (where make runs).

FRONTEND_DIR ?= frontend
E2E_BASE_URL ?= http://127.0.0.1:8765
CHROMIUM ?= /usr/bin/chromium

.PHONY: frontend-install frontend-build frontend-test frontend-typecheck e2e e2e-chromium

# npm ci from the committed package-lock.json; no browser download ever.
frontend-install:
	cd $(FRONTEND_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

# Builds the PWA into frontend/dist/ (served by Django under /app/).
frontend-build:
	@test -d $(FRONTEND_DIR)/node_modules || $(MAKE) frontend-install
	cd $(FRONTEND_DIR) && npm run build

frontend-typecheck:
	cd $(FRONTEND_DIR) && npx tsc -b

frontend-test:
	@test -d $(FRONTEND_DIR)/node_modules || $(MAKE) frontend-install
	cd $(FRONTEND_DIR) && npx vitest run

# Debian's Chromium; playwright-core drives it (installs nothing else).
e2e-chromium:
	@test -x $(CHROMIUM) || (apt-get update && apt-get install -y chromium)

# Runs the Playwright specs against a server already running at $(E2E_BASE_URL)
# (started by the backend side, with the demo data loaded and frontend/dist built).
e2e: e2e-chromium
	@test -d $(FRONTEND_DIR)/node_modules || $(MAKE) frontend-install
	cd $(FRONTEND_DIR) && E2E_BASE_URL=$(E2E_BASE_URL) CHROMIUM_PATH=$(CHROMIUM) node e2e/run.mjs
