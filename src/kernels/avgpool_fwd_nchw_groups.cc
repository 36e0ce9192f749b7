// Average pooling forward, channels-first, small planes in groups of 16 (nchw_plane_groups.h).
#include <cstddef>

#include "kernels.h"
#include "nchw_plane_groups.h"
#include "nhwc_rows.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// dst[w * G + q + l] = the sum over k < nrows of src[q + l][offs[k] + w], for every plane q + l of
// the group and w < W (W >= L): input rows summed along D and H straight from the planes, L planes
// by L columns at a time, the L sums transposed in registers into L positions of the interleaved
// image. A row whose width is no multiple of L ends with a block that overlaps the one before.
// kRows > 0 is nrows known at compile time: with the row loop unrolled the call is about 5%
// faster on odd-13x17.
template <class V, int kRows>
void sum_rows_interleaved(const typename V::Elem* const* src, const ptrdiff_t* offs,
                          ptrdiff_t any_nrows, ptrdiff_t W, typename V::Elem* dst) {
  const ptrdiff_t nrows = kRows > 0 ? kRows : any_nrows;
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  using T = typename V::Elem;
  for (ptrdiff_t q = 0; q < G; q += L) {
    const T* plane[L];
    for (ptrdiff_t l = 0; l < L; ++l) plane[l] = src[q + l];
    auto block = [&](ptrdiff_t w) {
      V v[L];
      for (ptrdiff_t l = 0; l < L; ++l) v[l] = V::load(plane[l] + offs[0] + w);
      for (ptrdiff_t k = 1; k < nrows; ++k) {
        const ptrdiff_t off = offs[k] + w;
        for (ptrdiff_t l = 0; l < L; ++l) v[l] = V::add(v[l], V::load(plane[l] + off));
      }
      V::template store_transposed<G>(v, dst + w * G + q);
    };
    ptrdiff_t w = 0;
    for (; w + L <= W; w += L) block(w);
    if (w < W) block(W - L);
  }
}

// The W windows of one interleaved row: q[ow * G + c] = the sum of the window's positions, times
// scale[ow] when scale is given.
template <class V>
void sum_row_windows(const typename V::Elem* row, const GroupWindows& win, ptrdiff_t OW,
                     const typename V::Elem* scale, typename V::Elem* q) {
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  V acc[4];
  for (ptrdiff_t ow = 0; ow < OW; ++ow, q += G) {
    sum_positions4<V>(row + win.w0[ow] * G, G, win.w1[ow] - win.w0[ow], acc);
    if (scale != nullptr) {
      const V k = V::splat(scale[ow]);
      for (ptrdiff_t c = 0; c < 4; ++c) acc[c] = V::mul(acc[c], k);
    }
    for (ptrdiff_t c = 0; c < 4; ++c) V::store(q + c * L, acc[c]);
  }
}

}  // namespace

// Separable. When the windows shrink D and H (13x17 -> 7x7) the rows come first: each output row's
// input rows are summed straight from the planes into the interleaved image, so only 7 of 13 rows'
// worth is interleaved, then each W window is summed and scaled. Otherwise (a plane that grows, or
// rows narrower than a vector) the planes are interleaved whole and W comes first: every input
// row's W windows are summed once into S[row][ow], then each output sums the S entries of its rows.
// PyTorch adds a window in row-major order; either way regroups those adds, within the average's
// tolerance.
template <class V>
void avgpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  const GroupWindows win(*s.windows);
  const ptrdiff_t OD = static_cast<ptrdiff_t>(s.out[0]), OH = static_cast<ptrdiff_t>(s.out[1]);
  const ptrdiff_t OW = static_cast<ptrdiff_t>(s.out[2]), H = static_cast<ptrdiff_t>(s.in[1]);
  const ptrdiff_t W = static_cast<ptrdiff_t>(s.in[2]), rows = static_cast<ptrdiff_t>(s.in_rows());
  const ptrdiff_t out_rows = OD * OH;
  Scratch<T> scale(s.out_image());
  for (ptrdiff_t r = 0; r < out_rows; ++r) {
    const int64_t kdh = (win.d1[r / OH] - win.d0[r / OH]) * (win.h1[r % OH] - win.h0[r % OH]);
    for (ptrdiff_t ow = 0; ow < OW; ++ow) {
      scale[static_cast<size_t>(r * OW + ow)] = window_scale<T>(1, kdh, win.w1[ow] - win.w0[ow]);
    }
  }
  const bool rows_first = W >= L && out_rows < rows;
  // Rows first: the offsets of output row r's input rows, row_offs[row_first[r] ..
  // row_first[r + 1]), in (d, h) order.
  Scratch<ptrdiff_t> row_first(rows_first ? out_rows + 1 : 0);
  Scratch<ptrdiff_t> row_offs(
      rows_first ? out_rows * max_win_len(s.windows->d) * max_win_len(s.windows->h) : 0);
  for (ptrdiff_t r = 0, k = 0; rows_first && r < out_rows; ++r) {
    for_each_window_row(s, r / OH, r % OH, [&](int64_t row) { row_offs[k++] = row * W; });
    row_first[r + 1] = k;
  }
  Scratch<T> in(rows_first ? W * G : g.in_image()), out(g.out_image());  // rows first: one row
  Scratch<T> sums(rows_first ? 0 : rows * OW * G);
  const T* src[G];
  T* dst[G];
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.input, s.in_image(), src);
    const int n = group_planes<V>(item, s.images, a.output, s.out_image(), dst);
    if (rows_first) {
      for (ptrdiff_t r = 0; r < out_rows; ++r) {
        const ptrdiff_t nr = row_first[r + 1] - row_first[r];
        const ptrdiff_t* ro = row_offs.data() + row_first[r];
        switch (nr) {
          case 2:
            sum_rows_interleaved<V, 2>(src, ro, nr, W, in.data());
            break;
          case 3:
            sum_rows_interleaved<V, 3>(src, ro, nr, W, in.data());
            break;
          case 4:
            sum_rows_interleaved<V, 4>(src, ro, nr, W, in.data());
            break;
          default:
            sum_rows_interleaved<V, 0>(src, ro, nr, W, in.data());
        }
        sum_row_windows<V>(in.data(), win, OW, scale.data() + r * OW, out.data() + r * OW * G);
      }
      deinterleave_group<V>(out.data(), s.out_image(), dst, n);
      continue;
    }
    interleave_group<V>(src, s.in_image(), in.data());
    for (ptrdiff_t r = 0; r < rows; ++r) {
      sum_row_windows<V>(in.data() + r * W * G, win, OW, nullptr, sums.data() + r * OW * G);
    }
    T* o = out.data();
    const T* k = scale.data();
    V acc[4];
    for (ptrdiff_t od = 0; od < OD; ++od) {
      for (ptrdiff_t oh = 0; oh < OH; ++oh) {
        // Rows of one output row are consecutive in S when D is 1; for 3d they come in runs of
        // kh, one run per d.
        const ptrdiff_t h0 = win.h0[oh], kh = win.h1[oh] - h0;
        for (ptrdiff_t ow = 0; ow < OW; ++ow, o += G, ++k) {
          const ptrdiff_t d0 = win.d0[od];
          V total[4];
          sum_positions4<V>(sums.data() + ((d0 * H + h0) * OW + ow) * G, OW * G, kh, total);
          for (ptrdiff_t d = d0 + 1; d < win.d1[od]; ++d) {
            sum_positions4<V>(sums.data() + ((d * H + h0) * OW + ow) * G, OW * G, kh, acc);
            for (ptrdiff_t c = 0; c < 4; ++c) total[c] = V::add(total[c], acc[c]);
          }
          const V vk = V::splat(*k);
          for (ptrdiff_t c = 0; c < 4; ++c) V::store(o + c * L, V::mul(total[c], vk));
        }
      }
    }
    deinterleave_group<V>(out.data(), s.out_image(), dst, n);
  }
}

AP_INSTANTIATE(avgpool_fwd_nchw_groups, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
