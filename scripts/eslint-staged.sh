#!/bin/sh
# pre-commit hook: ESLint from frontend/node_modules on the staged frontend
# files (paths arrive relative to the repository root).
set -e
[ -x frontend/node_modules/.bin/eslint ] || { echo "frontend/node_modules missing: run make frontend-install"; exit 1; }
files=""
for f in "$@"; do files="$files ${f#frontend/}"; done
cd frontend && exec node_modules/.bin/eslint $files
