#!/usr/bin/env bash
# Runs every test. Installs what the tests need first: the npm test tools (Azurite) and, where missing,
# the Debian packages the test fixtures start.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet test Tributary.slnx --configuration Release "$@"
