#!/usr/bin/env bash
# The demo page in headless Chromium: builds the page (and the npm package's wasm if missing), installs
# playwright-core from the committed lock, runs the node:test suite against Debian's chromium.
# WEB_E2E_SCREENSHOTS=docs writes the README's screenshots to docs/screenshots/ (else build/web-e2e/).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "50-web-e2e: /usr/bin/chromium missing (run as root, or: sudo apt-get install -y chromium)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
bash web/build.sh
cd tests/web-e2e
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "--- prettier --check (page, server, e2e tests)"
node_modules/.bin/prettier --config ../../web/.prettierrc.json --check \
  ../../web/src ../../web/server.mjs ../../web/vite.config.js server.test.mjs web.test.mjs
node --test --test-reporter=spec server.test.mjs web.test.mjs
