#!/usr/bin/env bash
# The packed npm package in a browser: a page importing it, built by Vite into a scratch project,
# loaded by headless Chromium (playwright-core) with and without COOP/COEP headers.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

if ! command -v chromium >/dev/null || ! command -v em++ >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "chromium/em++ missing: apt-get install -y chromium emscripten" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium emscripten cmake
fi

if [ ! -f tests/js/node_modules/.package-lock.json ] || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

# The tarball from step 30 when it is there and current; otherwise build and pack here.
pack="$root/build/npm-pack"
tarball=$(ls "$pack"/adaptive-pool-*.tgz 2>/dev/null || true)
if [ -z "$tarball" ] || [ -n "$(find npm/src npm/package.json bindings src -newer "$tarball" -print -quit)" ]; then
  bash npm/scripts/build-wasm.sh
  rm -rf "$pack" && mkdir -p "$pack"
  (cd npm && npm pack --silent --pack-destination "$pack" >/dev/null)
  tarball=$(ls "$pack"/adaptive-pool-*.tgz)
fi

echo "--- vite build of a page importing adaptive-pool"
page="$root/build/pkg-browser"
rm -rf "$page"
mkdir -p "$page"
cat >"$page/package.json" <<'JSON'
{ "name": "adaptive-pool-page", "private": true, "type": "module" }
JSON
(cd "$page" && npm install --no-audit --no-fund --loglevel=error "$tarball")
cp tests/pkg-browser/index.html tests/pkg-browser/plain.html tests/pkg-browser/main.js tests/pkg-browser/vite.config.js "$page/"
(cd "$page" && node "$root/tests/js/node_modules/vite/bin/vite.js" build)
ls "$page/dist/assets"

echo "--- headless Chromium"
AP_PAGE_DIR="$page" AP_JS_TOOLS="$root/tests/js" \
  node --test --test-reporter=spec tests/pkg-browser/run.test.mjs
