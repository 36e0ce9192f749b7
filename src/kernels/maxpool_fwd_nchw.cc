// Max pooling forward, channels-first. PyTorch scans a window in row-major order with
// `val > max || isnan(val)`: the first maximum wins and the last NaN wins. Pass 1 applies that rule
// down each column of the (d, h) window with SIMD along W, keeping (value, index) per column.
// Pass 2 merges the columns of each W window; since columns are not visited in row-major order it
// compares indices too, which picks exactly the element the row-major scan picks: the NaN with the
// largest index if there is one, else the largest value with the smallest index.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void maxpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using Index = typename V::Index;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];

  std::vector<T> col_val(static_cast<size_t>(W));
  std::vector<Index> col_row(static_cast<size_t>(W));
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
    for (int64_t ow = 0; ow < OW; ++ow) {
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
