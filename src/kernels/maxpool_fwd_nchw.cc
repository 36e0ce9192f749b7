// Max pooling forward, channels-first. PyTorch scans a window in row-major order with
// `val > max || isnan(val)`: the first maximum wins and the last NaN wins. Pass 1 applies that rule
// down each column of the (d, h) window with SIMD along W, keeping (value, index) per column.
// Pass 2 merges the columns of each W window; since columns are not visited in row-major order it
// compares indices too, which picks exactly the element the row-major scan picks: the NaN with the
// largest index if there is one, else the largest value with the smallest index. For float32 pass 2
// runs four W windows at once, one per lane.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

#if AP_HAVE_SIMD
// Pass 2 for float32 over windows [0, OW rounded down to 4): lane k merges the columns of window
// ow + k with the same rule as the scalar merge; a lane's steps past its window's end (into the
// next window or the padding after column W - 1) are masked off. Returns the first window left.
// Without NaN among the columns (kNaN false) the rule loses its NaN terms.
template <bool kNaN>
int64_t merge_columns_x4(const AxisWindows& ww, int64_t OW, int64_t W, const float* col_val,
                         const int32_t* col_row, float* out, int32_t* out_idx) {
  const v128_t wv = wasm_i32x4_splat(static_cast<int32_t>(W));
  int64_t ow = 0;
  for (; ow + 4 <= OW; ow += 4) {
    int32_t st[4], len[4];
    int32_t kmax = 0;
    for (int k = 0; k < 4; ++k) {
      st[k] = static_cast<int32_t>(win_start(ww, ow + k));
      len[k] = static_cast<int32_t>(win_len(ww, ow + k));
      kmax = std::max(kmax, len[k]);
    }
    const float *v0 = col_val + st[0], *v1 = col_val + st[1], *v2 = col_val + st[2],
                *v3 = col_val + st[3];
    const int32_t *r0 = col_row + st[0], *r1 = col_row + st[1], *r2 = col_row + st[2],
                  *r3 = col_row + st[3];
    const v128_t sv = wasm_i32x4_make(st[0], st[1], st[2], st[3]);
    const v128_t lenv = wasm_i32x4_make(len[0], len[1], len[2], len[3]);
    v128_t best = wasm_f32x4_make(v0[0], v1[0], v2[0], v3[0]);
    v128_t bi = wasm_i32x4_add(wasm_i32x4_mul(wasm_i32x4_make(r0[0], r1[0], r2[0], r3[0]), wv), sv);
    for (int32_t j = 1; j < kmax; ++j) {
      const v128_t jv = wasm_i32x4_splat(j);
      const v128_t v = wasm_f32x4_make(v0[j], v1[j], v2[j], v3[j]);
      const v128_t i = wasm_i32x4_add(
          wasm_i32x4_mul(wasm_i32x4_make(r0[j], r1[j], r2[j], r3[j]), wv), wasm_i32x4_add(sv, jv));
      // A larger value, or an equal one seen earlier in row-major order (a NaN on either side
      // makes both compares false); a NaN takes over a number or an earlier NaN.
      v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best),
                                 wasm_v128_and(wasm_f32x4_eq(v, best), wasm_i32x4_lt(i, bi)));
      if (kNaN) {
        const v128_t vn = wasm_f32x4_ne(v, v), bn = wasm_f32x4_ne(best, best);
        take = wasm_v128_or(
            take, wasm_v128_and(vn, wasm_v128_or(wasm_v128_not(bn), wasm_i32x4_gt(i, bi))));
      }
      take = wasm_v128_and(take, wasm_i32x4_gt(lenv, jv));
      best = wasm_v128_bitselect(v, best, take);
      bi = wasm_v128_bitselect(i, bi, take);
    }
    wasm_v128_store(out + ow, best);
    wasm_v128_store(out_idx + ow, bi);
  }
  return ow;
}

int64_t merge_columns_x4(const AxisWindows& ww, int64_t OW, int64_t W, const float* col_val,
                         const int32_t* col_row, float* out, int32_t* out_idx) {
  v128_t nan = wasm_i32x4_splat(0);
  int64_t c = 0;
  for (; c + 4 <= W; c += 4) {
    const v128_t v = wasm_v128_load(col_val + c);
    nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v));
  }
  bool any = wasm_v128_any_true(nan);
  for (; c < W; ++c) any = any || std::isnan(col_val[c]);
  return any ? merge_columns_x4<true>(ww, OW, W, col_val, col_row, out, out_idx)
             : merge_columns_x4<false>(ww, OW, W, col_val, col_row, out, out_idx);
}
#endif

}  // namespace

template <class V>
void maxpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using Index = typename V::Index;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];

  // Padded by a window's length: the four-window merge reads past a short window's end.
  const size_t padded = static_cast<size_t>(W + max_win_len(ww));
  std::vector<T> col_val(padded);
  std::vector<Index> col_row(padded);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows();
    const int64_t od = item % s.out_rows() / s.out[1];
    const int64_t oh = item % s.out[1];
    const T* image = a.input + img * s.in_image();
    T* out = a.output + item * OW;
    int32_t* out_idx = a.indices + item * OW;
    const int64_t d0 = win_start(wd, od), d1 = win_end(wd, od);
    const int64_t h0 = win_start(wh, oh), h1 = win_end(wh, oh);
    const int64_t first_row = d0 * s.in[1] + h0;

    if ((d1 - d0) * (h1 - h0) == 1) {
      // One input row: the row-major scan itself.
      const T* row = image + first_row * W;
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t w = win_start(ww, ow);
        T best = row[w];
        int64_t best_w = w;
        for (++w; w < win_end(ww, ow); ++w) {
          if (row[w] > best || std::isnan(row[w])) {
            best = row[w];
            best_w = w;
          }
        }
        out[ow] = best;
        out_idx[ow] = static_cast<int32_t>(first_row * W + best_w);
      }
      continue;
    }

    // Pass 1: column maxima over the window's rows, rows visited in row-major order. Lanes keep
    // the input row number (one splat per row); the flat index is row * W + column.
    int64_t w = 0;
    for (; w + 4 * L <= W; w += 4 * L) {
      const T* p = image + first_row * W + w;
      V m0 = V::load(p), m1 = V::load(p + L), m2 = V::load(p + 2 * L), m3 = V::load(p + 3 * L);
      typename V::Idx r0 = V::idx_splat(first_row), r1 = r0, r2 = r0, r3 = r0;
      for (int64_t d = d0; d < d1; ++d) {
        for (int64_t h = (d == d0 ? h0 + 1 : h0); h < h1; ++h) {
          const int64_t row = d * s.in[1] + h;
          const typename V::Idx r = V::idx_splat(row);
          const T* q = image + row * W + w;
          const V v0 = V::load(q), v1 = V::load(q + L), v2 = V::load(q + 2 * L),
                  v3 = V::load(q + 3 * L);
          const typename V::Mask t0 = V::takes(v0, m0), t1 = V::takes(v1, m1),
                                 t2 = V::takes(v2, m2), t3 = V::takes(v3, m3);
          m0 = V::select(t0, v0, m0);
          m1 = V::select(t1, v1, m1);
          m2 = V::select(t2, v2, m2);
          m3 = V::select(t3, v3, m3);
          r0 = V::idx_select(t0, r, r0);
          r1 = V::idx_select(t1, r, r1);
          r2 = V::idx_select(t2, r, r2);
          r3 = V::idx_select(t3, r, r3);
        }
      }
      V::store(col_val.data() + w, m0);
      V::store(col_val.data() + w + L, m1);
      V::store(col_val.data() + w + 2 * L, m2);
      V::store(col_val.data() + w + 3 * L, m3);
      V::idx_store(col_row.data() + w, r0);
      V::idx_store(col_row.data() + w + L, r1);
      V::idx_store(col_row.data() + w + 2 * L, r2);
      V::idx_store(col_row.data() + w + 3 * L, r3);
    }
    for (; w < W; ++w) {
      T m = image[first_row * W + w];
      int64_t r = first_row;
      for (int64_t d = d0; d < d1; ++d) {
        for (int64_t h = (d == d0 ? h0 + 1 : h0); h < h1; ++h) {
          const int64_t row = d * s.in[1] + h;
          const T v = image[row * W + w];
          if (v > m || std::isnan(v)) {
            m = v;
            r = row;
          }
        }
      }
      col_val[static_cast<size_t>(w)] = m;
      col_row[static_cast<size_t>(w)] = static_cast<Index>(r);
    }

    // Pass 2: merge the columns of each W window, branch-free (random data would make the
    // comparisons unpredictable).
    int64_t ow = 0;
#if AP_HAVE_SIMD
    if constexpr (std::is_same<V, F32x4>::value) {
      ow = merge_columns_x4(ww, OW, W, col_val.data(), col_row.data(), out, out_idx);
    }
#endif
    for (; ow < OW; ++ow) {
      int64_t c = win_start(ww, ow);
      T best = col_val[static_cast<size_t>(c)];
      int64_t best_i = col_row[static_cast<size_t>(c)] * W + c;
      for (++c; c < win_end(ww, ow); ++c) {
        const T v = col_val[static_cast<size_t>(c)];
        const int64_t i = col_row[static_cast<size_t>(c)] * W + c;
        const bool vn = v != v, bn = best != best;
        const bool take =
            (vn & (!bn | (i > best_i))) | (!vn & !bn & ((v > best) | ((v == best) & (i < best_i))));
        best = take ? v : best;
        best_i = take ? i : best_i;
      }
      out[ow] = best;
      out_idx[ow] = static_cast<int32_t>(best_i);
    }
  }
}

AP_INSTANTIATE(maxpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
