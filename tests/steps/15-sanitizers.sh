#!/usr/bin/env bash
# The native Catch2 suites again, under the sanitizers (the SIMD kernels too: natively they build
# on simde's wasm_simd128.h):
# - AddressSanitizer + UBSan: no read or write outside a buffer or a scratch array (src/sanitizer.h
#   marks the scratch memory the core hands out itself), no undefined behaviour;
# - ThreadSanitizer: no element touched by two threads without ordering, over the thread counts
#   1 to 4 of the randomized kernel tests (the pool's rule that no two threads write one element).
# The second suite runs even if the first one's tests fail, so one log shows every failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
failed=()
run() {
  local build=$1 flags=$2
  echo "--- $build ($flags)"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags"
  cmake --build "$build" -j2 --target adaptive_pool_tests
  bash tests/steps/without-aslr.sh ctest --test-dir "$build" --output-on-failure || failed+=("$build")
}
run build/asan "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
run build/tsan "-fsanitize=thread"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
