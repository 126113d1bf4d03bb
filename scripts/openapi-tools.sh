#!/usr/bin/env bash
# Installs the third-party tools the OpenAPI specs run (tools/openapi: Redocly's linter, openapi-typescript,
# openapi-fetch, TypeScript) from the npm registry, exactly as package-lock.json pins them. Node.js comes from Debian
# when absent. Idempotent: a second run finds the lock file's hash already installed and does nothing.
set -euo pipefail
cd "$(dirname "$0")/../tools/openapi"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "openapi-tools.sh: installing Node.js"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

stamp=node_modules/.installed-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then exit 0; fi
echo "openapi-tools.sh: npm ci in tools/openapi"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
