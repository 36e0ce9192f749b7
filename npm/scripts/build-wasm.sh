#!/usr/bin/env bash
# Builds the three wasm variants (scalar, simd, simd-threads) into build/wasm-<name> and assembles
# npm/dist: the Emscripten outputs plus the hand-written package sources from npm/src.
# Usage: bash npm/scripts/build-wasm.sh [build ...]   (default: all three)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# em++ 3.1.6 from Debian needs acorn and friends from Debian's node modules.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(scalar simd simd-threads)

# One build at a time (the demo's build script may call this one): concurrent cmake runs in one
# build folder would pair a .js with another link's .wasm.
mkdir -p build
exec 9>build/.build-wasm.lock
flock 9

# Assembled in a staging folder, then moved into npm/dist build by build, so readers of npm/dist
# never see a half-written package.
stage=build/npm-dist-stage
dist=npm/dist
rm -rf "$stage"
mkdir -p "$stage"

for name in "${builds[@]}"; do
  case "$name" in
    scalar) flags=(-DADAPTIVE_POOL_SIMD=OFF -DADAPTIVE_POOL_THREADS=OFF) ;;
    simd) flags=(-DADAPTIVE_POOL_SIMD=ON -DADAPTIVE_POOL_THREADS=OFF) ;;
    simd-threads) flags=(-DADAPTIVE_POOL_SIMD=ON -DADAPTIVE_POOL_THREADS=ON) ;;
    *) echo "unknown build '$name' (scalar, simd, simd-threads)" >&2; exit 2 ;;
  esac
  dir="build/wasm-$name"
  emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DADAPTIVE_POOL_TESTS=OFF "${flags[@]}" >/dev/null
  cmake --build "$dir" -j 2 --target adaptive_pool_node adaptive_pool_web
  for env in node web; do
    mkdir -p "$stage/$env/$name"
    cp "$dir/bindings/$env"/adaptive-pool.{js,wasm} "$stage/$env/$name/"
    if [ -f "$dir/bindings/$env/adaptive-pool.worker.js" ]; then
      cp "$dir/bindings/$env/adaptive-pool.worker.js" "$stage/$env/$name/"
    fi
  done
  # The package is "type": "module"; Node's loader and its thread worker are CommonJS.
  echo '{ "type": "commonjs" }' >"$stage/node/$name/package.json"
done

cp npm/src/core.js npm/src/browser.js npm/src/node.cjs npm/src/node.mjs "$stage/"
cp npm/src/index.d.ts "$stage/index.d.ts"
cp npm/src/index.d.ts "$stage/index.d.cts"
node npm/scripts/make-cjs.mjs npm/src/core.js "$stage/core.cjs"

mkdir -p "$dist/node" "$dist/web"
for name in "${builds[@]}"; do
  for env in node web; do
    rm -rf "$dist/$env/$name"
    mv "$stage/$env/$name" "$dist/$env/$name"
  done
done
cp "$stage"/*.js "$stage"/*.cjs "$stage"/*.mjs "$stage"/*.d.ts "$stage"/*.d.cts "$dist/"

# The package's README (npm shows it): the repository README's "JavaScript API" section.
{
  echo '<!-- Generated from the repository README by npm/scripts/build-wasm.sh; do not edit. -->'
  echo '# adaptive-pool'
  echo
  echo 'PyTorch-exact adaptive average and max pooling (1d/2d/3d, forward and backward) in WebAssembly with SIMD and threads.'
  echo
  awk '/^## /{p = ($0 == "## JavaScript API")} p' README.md | sed 's/^## JavaScript API/## API/'
} >npm/README.md
echo "npm/dist assembled for: ${builds[*]}"
