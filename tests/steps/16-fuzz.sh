#!/usr/bin/env bash
# The kernels' libFuzzer target (tests/fuzz/kernels_fuzz.cc), built by clang with ASan + UBSan and
# run for a fixed number of inputs from a fixed seed, so runs here walk nearly the same inputs (not
# exactly: which thread takes which chunk changes the coverage libFuzzer sees, and with it the
# corpus, 3,600 to 4,100 inputs in six runs). Longer runs for development:
# build/fuzz/tests/kernels_fuzz -max_total_time=600 some-corpus-folder
#
# The inputs that reached new code (the corpus: shapes, layouts, dtypes and thread splits the seeded
# tests do not hold) are then run again under ThreadSanitizer, in a build without libFuzzer's
# coverage counters: every thread bumps those, and TSan would report each bump as a race.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/fuzz
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DADAPTIVE_POOL_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake --build "$build" -j2 --target kernels_fuzz
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus"
"$build/tests/kernels_fuzz" -seed=1 -runs=100000 -artifact_prefix="$build/" "$corpus"

tsan=build/fuzz-tsan
cmake -S . -B "$tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DADAPTIVE_POOL_FUZZ=ON -DCMAKE_CXX_FLAGS="-fsanitize=thread"
cmake --build "$tsan" -j2 --target kernels_fuzz
echo "--- the corpus ($(find "$corpus" -type f | wc -l) inputs) under ThreadSanitizer"
TSAN_OPTIONS=halt_on_error=1 bash tests/steps/without-aslr.sh \
  "$tsan/tests/kernels_fuzz" -runs=0 -artifact_prefix="$tsan/" "$corpus"
