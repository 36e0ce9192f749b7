// Max pooling forward, channels-first, pass 1 (maxpool_fwd_nchw.cc has the whole design): the
// maximum of each column down a window's rows and the row it is in, by PyTorch's row-major rule,
// as (value, row offset) per column or, for float32, (value, byte row number).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "simd.h"

namespace adaptive_pool {
namespace kernels {
// Internal linkage, as when this was part of maxpool_fwd_nchw.cc (its only includer): LLVM then
// inlines the single-use functions into the kernel as before, which `inline` alone did not
// (the module grew by 600 bytes; max-image-1080p measured 4-25% slower in two alternations).
namespace {

// Calls f(c, u) for vectors of columns [c, c + L) covering [0, W), W >= L: four at a time (u
// names one of four independent accumulators), then one at a time, the last overlapping columns
// already done, so f must give the same result when applied twice.
template <ptrdiff_t L, class F>
inline void for_each_vector(ptrdiff_t W, F f) {
  ptrdiff_t c = 0;
  for (; c + 4 * L <= W; c += 4 * L) {
    f(c, 0);
    f(c + L, 1);
    f(c + 2 * L, 2);
    f(c + 3 * L, 3);
  }
  for (; c + L <= W; c += L) f(c, 0);
  if (c < W) f(W - L, 0);
}

// Pass 1 over the window's rows (offsets from the plane start, increasing), W >= L: leaves in
// col_val the maximum of each column and in col_row the offset of its row, by the row-major rule;
// unless fresh, it continues the state there (the window's earlier rows, from an earlier call).
// Without kExact it assumes no NaN, so a compare and a max do the work of the full rule (applying
// a row twice changes nothing, as for_each_vector needs); a running sum of everything read (NaN,
// or inf - inf, poisons it) checks the assumption, and false asks for the exact rerun.
template <class V, bool kExact>
bool column_maxima(const typename V::Elem* plane, const ptrdiff_t* offs, ptrdiff_t nrows,
                   ptrdiff_t W, bool fresh, typename V::Elem* col_val, typename V::Index* col_row) {
  using T = typename V::Elem;
  using Idx = typename V::Idx;
  constexpr ptrdiff_t L = V::kLanes;
  V acc[4] = {V::splat(0), V::splat(0), V::splat(0), V::splat(0)};
  if (fresh) {
    const T* q = plane + offs[0];
    const Idx r0 = V::idx_splat(offs[0]);
    for_each_vector<L>(W, [&](ptrdiff_t c, int u) {
      const V v = V::load(q + c);
      V::store(col_val + c, v);
      V::idx_store(col_row + c, r0);
      if (!kExact) acc[u] = V::add(acc[u], v);
    });
  }
  for (ptrdiff_t k = fresh ? 1 : 0; k < nrows; ++k) {
    const T* q = plane + offs[k];
    const Idx rk = V::idx_splat(offs[k]);
    for_each_vector<L>(W, [&](ptrdiff_t c, int u) {
      const V v = V::load(q + c), m = V::load(col_val + c);
      const Idx r = V::idx_load(col_row + c);
      if (kExact) {
        const typename V::Mask t = V::takes(v, m);
        V::store(col_val + c, V::select(t, v, m));
        V::idx_store(col_row + c, V::idx_select(t, rk, r));
      } else {
        V::store(col_val + c, V::keep_greater(m, v));
        V::idx_store(col_row + c, V::idx_later(V::gt(v, m), rk, r));
        acc[u] = V::add(acc[u], v);
      }
    });
  }
  if (kExact) return true;
  return !V::any_nan(V::add(V::add(acc[0], acc[1]), V::add(acc[2], acc[3])));
}

#if AP_HAVE_SIMD
// Pass 1 for float32 assuming no NaN, W >= 16, fewer than 256 window rows: column_maxima<F32x4,
// false> from fresh state, except that a column keeps the number of its maximum's row in the
// window, a byte, instead of the row's offset. One vector of row numbers then serves 16 columns:
// the four compares narrow to one byte mask, and one max takes the rows of all 16 where four took
// them before. max-image-1080p: 2.02 -> 1.79 ms (best of seven alternating runs).
bool column_maxima_rows8(const float* plane, const ptrdiff_t* offs, ptrdiff_t nrows, ptrdiff_t W,
                         float* col_val, uint8_t* col_row) {
  v128_t acc[4] = {wasm_f32x4_splat(0), wasm_f32x4_splat(0), wasm_f32x4_splat(0),
                   wasm_f32x4_splat(0)};
  // Columns [c, c + 16) of row k; the last step overlaps the one before, which changes nothing.
  auto step = [&](const float* q, ptrdiff_t c, ptrdiff_t k) {
    v128_t v[4];
    for (int u = 0; u < 4; ++u) {
      v[u] = wasm_v128_load(q + c + 4 * u);
      acc[u] = wasm_f32x4_add(acc[u], v[u]);
    }
    if (k == 0) {
      for (int u = 0; u < 4; ++u) wasm_v128_store(col_val + c + 4 * u, v[u]);
      wasm_v128_store(col_row + c, wasm_i8x16_splat(0));
      return;
    }
    v128_t gt[4];
    for (int u = 0; u < 4; ++u) {
      const v128_t m = wasm_v128_load(col_val + c + 4 * u);
      gt[u] = wasm_f32x4_gt(v[u], m);
      wasm_v128_store(col_val + c + 4 * u, wasm_f32x4_pmax(m, v[u]));
    }
    const v128_t taken = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(gt[0], gt[1]),
                                                 wasm_i16x8_narrow_i32x4(gt[2], gt[3]));
    const v128_t later = wasm_v128_and(taken, wasm_i8x16_splat(static_cast<int8_t>(k)));
    wasm_v128_store(col_row + c, wasm_u8x16_max(wasm_v128_load(col_row + c), later));
  };
  for (ptrdiff_t k = 0; k < nrows; ++k) {
    const float* q = plane + offs[k];
    ptrdiff_t c = 0;
    for (; c + 16 <= W; c += 16) step(q, c, k);
    if (c < W) step(q, W - 16, k);
  }
  const v128_t a = wasm_f32x4_add(wasm_f32x4_add(acc[0], acc[1]), wasm_f32x4_add(acc[2], acc[3]));
  return !wasm_v128_any_true(wasm_f32x4_ne(a, a));
}
#endif

// Row offsets to flat indices in place: col_row[c] += c (not idempotent, so no overlapping tail).
template <class V>
void add_columns(ptrdiff_t W, typename V::Index* col_idx) {
  constexpr ptrdiff_t L = V::kLanes;
  ptrdiff_t c = 0;
  for (; c + L <= W; c += L) {
    V::idx_store(col_idx + c, V::idx_add(V::idx_load(col_idx + c), V::idx_iota(c)));
  }
  for (; c < W; ++c) col_idx[c] += static_cast<typename V::Index>(c);
}

#if AP_HAVE_SIMD
// flat[c] = base + row8[c] * W + c for c < W, W >= 8: the flat indices of the columns' maxima
// from their byte row numbers, the window's rows being consecutive rows of one slice, W apart.
void rows8_flat(const uint8_t* row8, int32_t base, ptrdiff_t W, int32_t* flat) {
  const v128_t stride = wasm_i32x4_splat(static_cast<int32_t>(W));
  auto block = [&](ptrdiff_t c) {
    const v128_t r = wasm_u16x8_load8x8(row8 + c);
    const v128_t first = wasm_i32x4_splat(base + static_cast<int32_t>(c));
    const v128_t lo = wasm_i32x4_add(first, wasm_i32x4_make(0, 1, 2, 3));
    const v128_t hi = wasm_i32x4_add(first, wasm_i32x4_make(4, 5, 6, 7));
    wasm_v128_store(flat + c,
                    wasm_i32x4_add(lo, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(r), stride)));
    wasm_v128_store(flat + c + 4,
                    wasm_i32x4_add(hi, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(r), stride)));
  };
  ptrdiff_t c = 0;
  for (; c + 8 <= W; c += 8) block(c);
  if (c < W) block(W - 8);
}
#endif

}  // namespace
}  // namespace kernels
}  // namespace adaptive_pool
