#!/usr/bin/env bash
# The same Catch2 suites compiled by em++ and run under Node: a scalar build and a SIMD128 +
# pthreads build. Each build then runs the fuzz target on the corpus 16-fuzz.sh left behind (the
# inputs that reached new code natively, where the SIMD kernels build on simde) against the kernels
# as em++ and V8 compile them. Both builds run even if the first fails, so one log shows every
# failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=build/fuzz/corpus
if [ ! -d "$corpus" ]; then
  echo "$corpus is missing: tests/steps/16-fuzz.sh makes it" >&2
  exit 1
fi
# em++ 3.1.6 loads acorn and friends from Debian's node modules when it links.
export NODE_PATH=/usr/share/nodejs
failed=()
run() {
  local build=$1
  shift
  echo "--- $build"
  # emcmake only on the first configure: it cannot change the toolchain of an existing cache.
  if [ ! -f "$build/CMakeCache.txt" ]; then
    emcmake cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
  else
    cmake -S . -B "$build" "$@"
  fi
  cmake --build "$build" -j2 --target adaptive_pool_tests
  ctest --test-dir "$build" --output-on-failure || failed+=("$build")
  # One line per input: on a failure the last lines name the input and the mismatch.
  local log=$build/fuzz-replay.log
  if node --no-experimental-fetch "$build/tests/kernels_fuzz_replay.js" "$corpus" >"$log" 2>&1; then
    tail -n 1 "$log"
  else
    tail -n 5 "$log"
    failed+=("$build (fuzz corpus)")
  fi
}
run build/wasm-test-scalar -DADAPTIVE_POOL_SIMD=OFF -DADAPTIVE_POOL_THREADS=OFF
run build/wasm-test-simd-threads -DADAPTIVE_POOL_SIMD=ON -DADAPTIVE_POOL_THREADS=ON
if [ ${#failed[@]} -gt 0 ]; then
  echo "wasm test failures in: ${failed[*]}" >&2
  exit 1
fi
