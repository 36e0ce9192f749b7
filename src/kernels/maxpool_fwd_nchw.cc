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
  std::vector<Index> col_idx(static_cast<size_t>(W));
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

    // Pass 1: column maxima over the window's rows, rows visited in row-major order.
    int64_t w = 0;
    for (; w + L <= W; w += L) {
      V m = V::load(image + first_row * W + w);
      typename V::Idx ix = V::idx_iota(first_row * W + w);
      for (int64_t d = d0; d < d1; ++d) {
        for (int64_t h = (d == d0 ? h0 + 1 : h0); h < h1; ++h) {
          const int64_t pos = (d * s.in[1] + h) * W + w;
          const V v = V::load(image + pos);
          const typename V::Mask take = V::takes(v, m);
          m = V::select(take, v, m);
          ix = V::idx_select(take, V::idx_iota(pos), ix);
        }
      }
      V::store(col_val.data() + w, m);
      V::idx_store(col_idx.data() + w, ix);
    }
    for (; w < W; ++w) {
      T m = image[first_row * W + w];
      int64_t ix = first_row * W + w;
      for (int64_t d = d0; d < d1; ++d) {
        for (int64_t h = (d == d0 ? h0 + 1 : h0); h < h1; ++h) {
          const int64_t pos = (d * s.in[1] + h) * W + w;
          if (image[pos] > m || std::isnan(image[pos])) {
            m = image[pos];
            ix = pos;
          }
        }
      }
      col_val[static_cast<size_t>(w)] = m;
      col_idx[static_cast<size_t>(w)] = static_cast<Index>(ix);
    }

    // Pass 2: merge the columns of each W window.
    for (int64_t ow = 0; ow < OW; ++ow) {
      int64_t c = win_start(ww, ow);
      T best = col_val[static_cast<size_t>(c)];
      Index best_i = col_idx[static_cast<size_t>(c)];
      for (++c; c < win_end(ww, ow); ++c) {
        const T v = col_val[static_cast<size_t>(c)];
        const Index i = col_idx[static_cast<size_t>(c)];
        const bool take = std::isnan(v)
                              ? (!std::isnan(best) || i > best_i)
                              : (!std::isnan(best) && (v > best || (v == best && i < best_i)));
        if (take) {
          best = v;
          best_i = i;
        }
      }
      out[ow] = best;
      out_idx[ow] = static_cast<int32_t>(best_i);
    }
  }
}

AP_INSTANTIATE(maxpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
