#!/usr/bin/env bash
# The kernels' libFuzzer target (tests/fuzz/kernels_fuzz.cc), built by clang with ASan + UBSan and
# run for a fixed number of inputs from a fixed seed, so a run here repeats exactly. Longer runs
# for development: build/fuzz/tests/kernels_fuzz -max_total_time=600 some-corpus-folder
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/fuzz
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DADAPTIVE_POOL_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake --build "$build" -j2 --target kernels_fuzz
"$build/tests/kernels_fuzz" -seed=1 -runs=100000 -artifact_prefix="$build/"
