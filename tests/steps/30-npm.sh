#!/usr/bin/env bash
# The npm package as users get it: builds the three wasm variants, packs the tarball, installs it
# into a scratch project and runs the node:test suite there once per build, then type-checks a
# TypeScript file that uses every API with tsc --strict.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

if ! command -v em++ >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "em++ missing: apt-get install -y emscripten" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emscripten cmake
fi

echo "--- dev tools (tests/js: npm ci)"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)

echo "--- prettier --check (package sources and its tests)"
tests/js/node_modules/.bin/prettier --config npm/.prettierrc.json --check \
  'npm/src/**' 'npm/scripts/*.mjs' 'tests/npm/**/*.{mjs,cjs,ts,cts}' 'tests/pkg-browser/*.{js,mjs}' \
  'bench/*.mjs' 'tests/bench/*.mjs'

echo "--- wasm builds -> npm/dist"
bash npm/scripts/build-wasm.sh

echo "--- npm pack + install into a scratch project"
pack="$root/build/npm-pack"
scratch="$root/build/npm-scratch"
rm -rf "$pack" "$scratch"
mkdir -p "$pack" "$scratch"
(cd npm && npm pack --silent --pack-destination "$pack" >/dev/null)
tarball=$(ls "$pack"/adaptive-pool-*.tgz)
tar -tzf "$tarball" | sort >"$pack/contents.txt"
if grep -v -E '^package/(package\.json|README\.md|dist/.*)$' "$pack/contents.txt"; then
  echo "the tarball holds files outside dist/ (above)" >&2
  exit 1
fi
for f in package.json README.md dist/index.d.ts dist/index.d.cts dist/browser.js dist/node.mjs dist/node.cjs \
  dist/core.js dist/core.cjs dist/{node,web}/{scalar,simd,simd-threads}/adaptive-pool.{js,wasm} \
  dist/node/{scalar,simd,simd-threads}/package.json dist/{node,web}/simd-threads/adaptive-pool.worker.js; do
  grep -qx "package/$f" "$pack/contents.txt" || { echo "the tarball lacks $f" >&2; exit 1; }
done
cat >"$scratch/package.json" <<'JSON'
{ "name": "adaptive-pool-scratch", "private": true, "type": "module" }
JSON
(cd "$scratch" && npm install --no-audit --no-fund --loglevel=error "$tarball")
cp tests/npm/*.mjs tests/npm/*.cjs "$scratch/"
cp -r tests/npm/types "$scratch/types"

export AP_CASES="$root/tests/data/torch-cases.json"
# The naive loops of the benchmark are the oracle of random-calls.test.mjs.
export AP_NAIVE="$root/bench/naive.mjs"
for build in scalar simd simd-threads; do
  echo "--- node:test, build $build"
  (cd "$scratch" && AP_BUILD="$build" AP_THREADS=2 node --test --test-reporter=spec \
    conformance.test.mjs errors.test.mjs random-calls.test.mjs zero-copy.test.mjs load.test.mjs \
    require.test.cjs \
    >"$scratch/test-$build.log" 2>&1) || {
    grep -E -B2 -A20 '^\s*✖' "$scratch/test-$build.log" | head -150 || true
    tail -12 "$scratch/test-$build.log"
    exit 1
  }
  tail -8 "$scratch/test-$build.log"
done

echo "--- tsc --strict on a file using every API"
(cd "$scratch" && node "$root/tests/js/node_modules/typescript/bin/tsc" -p types/tsconfig.json)
echo "tsc: ok"

echo "--- bench/run.mjs on npm/dist (its output format and arguments; times are not asserted)"
node --test --test-reporter=spec tests/bench/
