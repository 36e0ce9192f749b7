#!/usr/bin/env bash
# Builds the demo page into build/web: the npm package's wasm when npm/dist lacks it, the page's npm
# dependencies (npm ci from the committed lock), then vite build. Used by web/serve.sh and the e2e test step.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "web/build.sh: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

command -v node >/dev/null || apt_install nodejs npm
command -v npm >/dev/null || apt_install npm

wasm_missing() {
  [ -f npm/dist/browser.js ] || return 0
  for b in scalar simd simd-threads; do
    [ -f "npm/dist/web/$b/adaptive-pool.wasm" ] || return 0
  done
  return 1
}
if wasm_missing; then
  echo "web/build.sh: npm/dist has no wasm yet, building the package (scalar, simd, simd-threads)"
  apt_install emscripten cmake make
  bash npm/scripts/build-wasm.sh
fi

cd web
# npm ci only when the installed tree is older than the lock (or missing): a second run is quick.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install vite build --logLevel warn
echo "web/build.sh: page built into build/web"
