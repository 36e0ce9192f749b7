// Bench-only export (internal, not part of the API): the memory roofline of src/kernels/roofline.h
// over a wasm tensor, so bench/run.mjs compares our kernels with a SIMD read of the same bytes in
// the same module. The npm layer exposes it as ap._roofline(tensor).
#include <emscripten/bind.h>

#include <cstdint>

#include "kernels/roofline.h"

namespace {

double roofline(uintptr_t address, double length, bool f64) {
  const auto n = static_cast<int64_t>(length);
  if (f64)
    return adaptive_pool::kernels::roofline_read_f64(reinterpret_cast<const double*>(address), n);
  return adaptive_pool::kernels::roofline_read_f32(reinterpret_cast<const float*>(address), n);
}

}  // namespace

EMSCRIPTEN_BINDINGS(adaptive_pool_bench) { emscripten::function("_roofline", &roofline); }
