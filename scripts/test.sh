#!/usr/bin/env bash
# Runs every test. First installs what the test fixtures start, where it is missing: PostgreSQL (Debian
# package; the fixtures make throwaway clusters of their own) and the npm test tools (Azurite).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet test Tributary.slnx --configuration Release "$@"
