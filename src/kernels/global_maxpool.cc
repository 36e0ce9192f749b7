// Global max pooling (output 1 x 1), channels-first float32: a plane's largest value by a pure
// reduction, then the first position holding it. PyTorch scans the plane in order with
// `val > max || isnan(val)`, so without NaN its pick is the first element equal to the maximum
// (== also pairs -0 with +0, which tie in its scan too; the value is read back from that
// element). The column kernels spent a load, a store and a compare-and-select of (value, row)
// state per vector; here the first pass is a load, a max and an add (the running sum that
// checks for NaN), and the second stops at the first match, on average halfway.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

#if AP_HAVE_SIMD
namespace {

// PyTorch's scan as it is, for planes that may hold NaN.
void scan_plane(const float* x, ptrdiff_t n, float* out, int32_t* out_idx) {
  float best = -INFINITY;
  ptrdiff_t bi = 0;
  for (ptrdiff_t j = 0; j < n; ++j) {
    const float v = x[j];
    if (v > best || std::isnan(v)) best = v, bi = j;
  }
  *out = best;
  *out_idx = static_cast<int32_t>(bi);
}

}  // namespace

template <>
void global_maxpool_nchw<F32x4>(const ForwardArgs<float>& a, int64_t begin, int64_t end) {
  const ptrdiff_t n = static_cast<ptrdiff_t>(a.s.in_image());
  for (int64_t p = begin; p < end; ++p) {
    const float* x = a.input + p * n;  // n >= 16 (run.cc's kGlobalMaxPlanes)
    v128_t m[4], s[4];
    for (int u = 0; u < 4; ++u) m[u] = s[u] = wasm_v128_load(x + 4 * u);
    ptrdiff_t i = 16;
    for (; i + 16 <= n; i += 16) {
      for (int u = 0; u < 4; ++u) {
        const v128_t v = wasm_v128_load(x + i + 4 * u);
        m[u] = wasm_f32x4_pmax(m[u], v);
        s[u] = wasm_f32x4_add(s[u], v);
      }
    }
    // The rest as vectors ending at n - 4 at the latest; the last one overlaps elements already
    // taken, which changes neither the maximum nor whether the sum is NaN.
    for (; i < n; i += 4) {
      const v128_t v = wasm_v128_load(x + std::min(i, n - 4));
      m[0] = wasm_f32x4_pmax(m[0], v);
      s[0] = wasm_f32x4_add(s[0], v);
    }
    const v128_t sum = wasm_f32x4_add(wasm_f32x4_add(s[0], s[1]), wasm_f32x4_add(s[2], s[3]));
    if (wasm_v128_any_true(wasm_f32x4_ne(sum, sum))) {  // NaN, or inf - inf
      scan_plane(x, n, a.output + p, a.indices + p);
      continue;
    }
    v128_t mx = wasm_f32x4_pmax(wasm_f32x4_pmax(m[0], m[1]), wasm_f32x4_pmax(m[2], m[3]));
    mx = wasm_f32x4_pmax(mx, wasm_i32x4_shuffle(mx, mx, 2, 3, 0, 1));
    mx = wasm_f32x4_pmax(mx, wasm_i32x4_shuffle(mx, mx, 1, 0, 3, 2));
    ptrdiff_t j = 0;
    for (;; j += 4) {
      const ptrdiff_t at = std::min(j, n - 4);
      const uint32_t bits = wasm_i32x4_bitmask(wasm_f32x4_eq(wasm_v128_load(x + at), mx));
      if (bits != 0) {
        j = at + __builtin_ctz(bits);
        break;
      }
    }
    a.output[p] = x[j];
    a.indices[p] = static_cast<int32_t>(j);
  }
}
#endif

}  // namespace kernels
}  // namespace adaptive_pool
