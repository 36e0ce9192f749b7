#!/usr/bin/env bash
# Where the kernels spend their time, instruction by instruction, as V8 compiles the wasm
# (development only; no test runs it):
#   bash bench/profile.sh CASE [threads]       e.g.  bash bench/profile.sh max-odd-13x17
#
# Builds bench/native_bench.cc with the package's simd flags (Release, -msimd128 -mbulk-memory) plus
# --profiling-funcs, which keeps the C++ names in the wasm so V8's code log can name each function;
# runs the cases whose name contains CASE under `perf record -e cpu-clock` with `node --perf-prof`
# (V8 writes the machine code it generates to a jitdump file) and joins the two with
# `perf inject --jit`. Prints the hottest functions; then, for the instructions of one:
#   perf annotate -i build/profile/perf.jit.data --stdio -s 'JS:<a name from the list>'
# Why these choices: cpu-clock is a timer, so it samples in VMs that expose no hardware counters
# (this project's machines); op counts on paper missed where the time goes (on max-odd-13x17 the NaN
# pre-scan took about a sixth of the kernel: it is where the input first comes in from L3).
# The kernels are inlined into their entry function, so read its annotation by address ranges
# (each hot range is one loop) rather than by function name.
#
# --profiling-funcs only keeps names; the code is the same, so build/profile/native_bench.js also
# times (native_bench.cc's header says how). Needs em++ (tests/steps/00-install.sh) and perf
# (Debian's linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: bash bench/profile.sh CASE [threads]" >&2
  exit 2
fi
case_filter=$1
threads=${2:-1}
if ! command -v perf >/dev/null; then
  echo "bench/profile.sh: perf not found (apt-get install linux-perf)" >&2
  exit 1
fi
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}  # em++ 3.1.6 finds acorn there

out=build/profile
mkdir -p "$out"
rm -f "$out"/jit-*.dump "$out"/jitted-*.so "$out"/isolate-*.log "$out"/perf.data "$out"/perf.jit.data
# -pthread as in the simd-threads build when more than one thread is asked for.
thread_flags=()
if [ "$threads" -gt 1 ]; then
  thread_flags=(-pthread "-sPTHREAD_POOL_SIZE=$threads" -sEXIT_RUNTIME=1)
fi
em++ -O3 -DNDEBUG -msimd128 -mbulk-memory -std=c++17 -Isrc --profiling-funcs "${thread_flags[@]}" \
  bench/native_bench.cc src/*.cc src/kernels/*.cc src/reference/*.cc \
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=256MB -sENVIRONMENT=node,worker \
  -o "$out/native_bench.js"

# perf writes the jitdump into node's working directory, so run from the output folder.
(
  cd "$out"
  perf record -k mono -e cpu-clock -F 10000 -o perf.data \
    node --perf-prof --no-experimental-fetch --no-liftoff native_bench.js "$threads" "$case_filter"
  perf inject --jit -i perf.data -o perf.jit.data
)
perf report -i "$out/perf.jit.data" --no-children --sort sym --stdio 2>/dev/null |
  grep -v '^#' | grep -v '^$' | head -20
