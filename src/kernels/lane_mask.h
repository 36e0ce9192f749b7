// keep_first(a, n): the first n lanes of a, the others zero (0 <= n <= lanes). Lets a window's
// last, partial vector be added with one load: lanes past the window are cleared bit by bit, so a
// NaN or inf outside the window never reaches the sum (nothing is multiplied by zero).
#pragma once

#include <cstdint>

#include "simd.h"

namespace adaptive_pool {
namespace kernels {

template <typename T>
Scalar<T> keep_first(Scalar<T> a, int64_t n) {
  return n > 0 ? a : Scalar<T>{T(0)};
}

#if AP_HAVE_SIMD
// n ones then zeros: the mask for n lanes starts n entries before the zeros.
alignas(16) inline constexpr int32_t kLaneMask32[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
alignas(16) inline constexpr int64_t kLaneMask64[4] = {-1, -1, 0, 0};

inline F32x4 keep_first(F32x4 a, int64_t n) {
  return {wasm_v128_and(a.v, wasm_v128_load(kLaneMask32 + 4 - n))};
}
inline F64x2 keep_first(F64x2 a, int64_t n) {
  return {wasm_v128_and(a.v, wasm_v128_load(kLaneMask64 + 2 - n))};
}

// a's first half of lanes in lo and its second half in hi, the other lanes zero in each.
inline void split_halves(F32x4 a, F32x4* lo, F32x4* hi) {
  const v128_t first = wasm_v128_load(kLaneMask32 + 2);
  lo->v = wasm_v128_and(a.v, first);
  hi->v = wasm_v128_andnot(a.v, first);
}
inline void split_halves(F64x2 a, F64x2* lo, F64x2* hi) {
  const v128_t first = wasm_v128_load(kLaneMask64 + 1);
  lo->v = wasm_v128_and(a.v, first);
  hi->v = wasm_v128_andnot(a.v, first);
}
#endif

}  // namespace kernels
}  // namespace adaptive_pool
