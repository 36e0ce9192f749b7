// Bench-only exports (internal, not part of the API): the memory roofline of src/kernels/roofline.h
// over a wasm tensor, so bench/run.mjs compares our kernels with a SIMD read of the same bytes in
// the same module, and its read-write floor over an input and an output tensor. The npm layer
// exposes them as ap._roofline(tensor) and ap._rooflineReadWrite(input, output).
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

double roofline_read_write(uintptr_t in, double in_length, uintptr_t out, double out_length,
                           bool f64) {
  const auto n_in = static_cast<int64_t>(in_length), n_out = static_cast<int64_t>(out_length);
  if (f64) {
    return adaptive_pool::kernels::roofline_read_write_f64(
        reinterpret_cast<const double*>(in), n_in, reinterpret_cast<double*>(out), n_out);
  }
  return adaptive_pool::kernels::roofline_read_write_f32(reinterpret_cast<const float*>(in), n_in,
                                                         reinterpret_cast<float*>(out), n_out);
}

}  // namespace

EMSCRIPTEN_BINDINGS(adaptive_pool_bench) {
  emscripten::function("_roofline", &roofline);
  emscripten::function("_roofline_read_write", &roofline_read_write);
}
