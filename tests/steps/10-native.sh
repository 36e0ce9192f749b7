#!/usr/bin/env bash
# Native g++ build of the core and its Catch2 suites (tests/core, tests/kernels), run by CTest.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/native
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j2 --target adaptive_pool_tests
ctest --test-dir "$build" --output-on-failure
