// Average pooling backward, channels-first, small planes in groups of 16 (nchw_plane_groups.h).
#include <algorithm>
#include <cstddef>

#include "kernels.h"
#include "nchw_plane_groups.h"
#include "nhwc_rows.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// The sum of rows[k][off..off+L) over k < nrows, in row order.
template <class V>
inline V sum_rows_at(const typename V::Elem* const* rows, ptrdiff_t nrows, ptrdiff_t off) {
  V v = V::load(rows[0] + off);
  for (ptrdiff_t k = 1; k < nrows; ++k) v = V::add(v, V::load(rows[k] + off));
  return v;
}

// dst[i * G + l] = src[l][i] * scale[i]: the group's gradients interleaved and scaled in one pass
// (avg-bwd-odd: the call about 3% faster than a separate scaling pass over the group image).
template <class V>
void interleave_scaled(const typename V::Elem* const* src, const typename V::Elem* scale,
                       ptrdiff_t n, typename V::Elem* dst) {
  using T = typename V::Elem;
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  alignas(16) T tmp[L * L];
  ptrdiff_t i = 0;
  for (; i + L <= n; i += L, dst += L * G) {
    V k[L];
    for (ptrdiff_t j = 0; j < L; ++j) k[j] = V::splat(scale[i + j]);
    for (ptrdiff_t q = 0; q < G; q += L) {
      V::template interleave_block<L>(src + q, i, tmp);
      for (ptrdiff_t j = 0; j < L; ++j) {
        V::store(dst + j * G + q, V::mul(V::load(tmp + j * L), k[j]));
      }
    }
  }
  for (; i < n; ++i, dst += G) {
    for (ptrdiff_t l = 0; l < G; ++l) dst[l] = src[l][i] * scale[i];
  }
}

// One grad_input row of planes q..q+L of a group (W >= L): position w of plane q + l is the sum of
// rows[k][w * G + q + l] over k < nrows (kRows: nrows known at compile time, or 0). L positions
// of the L planes at a time, transposed in registers and stored straight into the planes. A row
// whose width is no multiple of L ends with a block that overlaps the one before (the overlap
// rewritten with the same values): per-element stores for the last column of 13x17 planes took
// 14% of the kernel. The plane and row pointers are set up once per row: computed per block they
// cost about 10% of the call (avg-bwd-odd).
template <class V, int kRows>
void store_bwd_row(const typename V::Elem* const* rows, ptrdiff_t nrows, ptrdiff_t W, ptrdiff_t pos,
                   ptrdiff_t q, typename V::Elem* const* dst) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes, G = nchw_group_size<V>();
  T* out[L];
  for (ptrdiff_t l = 0; l < L; ++l) out[l] = dst[l] + pos;
  const T* const r0 = rows[0] + q;
  const T* const r1 = kRows == 2 ? rows[1] + q : nullptr;
  auto block = [&](ptrdiff_t w) {
    V cols[L];
    for (ptrdiff_t j = 0; j < L; ++j) {
      const ptrdiff_t off = (w + j) * G;
      V v = V::load(r0 + off);
      if constexpr (kRows == 2) {
        v = V::add(v, V::load(r1 + off));
      } else if constexpr (kRows == 0) {
        for (ptrdiff_t k = 1; k < nrows; ++k) v = V::add(v, V::load(rows[k] + q + off));
      }
      cols[j] = v;
    }
    V::store_deinterleaved(cols, w, out);
  };
  ptrdiff_t w = 0;
  for (; w + L <= W; w += L) block(w);
  if (w < W) block(W - L);
}

// The same for planes q..q+count, count < L, one position at a time (the group's last vector
// partly filled).
template <class V>
void store_bwd_row_lanes(const typename V::Elem* const* rows, ptrdiff_t nrows, ptrdiff_t W,
                         ptrdiff_t pos, ptrdiff_t q, ptrdiff_t count,
                         typename V::Elem* const* dst) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes, G = nchw_group_size<V>();
  alignas(16) T tmp[L];
  for (ptrdiff_t w = 0; w < W; ++w) {
    V::store(tmp, sum_rows_at<V>(rows, nrows, w * G + q));
    for (ptrdiff_t l = 0; l < count; ++l) dst[l][pos + w] = tmp[l];
  }
}

}  // namespace

// Average backward, separable and gathered: each grad_input position sums the scaled gradients of
// the outputs covering it, first along W (E[oh][w] = sum over ow covering w), then along H (row h =
// sum of the E rows covering h, L planes at a time, stored straight into the planes). Every value
// is written once, instead of read-modify-written once per covering output. PyTorch adds the deltas
// in output order (oh, ow); this groups them by oh first, within the average's tolerance.
template <class V>
void avgpool_bwd_nchw_groups(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes, G = nchw_group_size<V>();
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const ptrdiff_t OW = static_cast<ptrdiff_t>(s.out[2]), W = static_cast<ptrdiff_t>(s.in[2]);
  const ptrdiff_t out_rows = static_cast<ptrdiff_t>(s.out_rows());
  // Per call: the scale of every output position and the outputs covering every column and row.
  Scratch<T> scale(s.out_image());
  for (ptrdiff_t r = 0; r < out_rows; ++r) {
    const int64_t kdh = win_len(wd, r / s.out[1]) * win_len(wh, r % s.out[1]);
    for (ptrdiff_t ow = 0; ow < OW; ++ow) {
      scale[static_cast<size_t>(r * OW + ow)] = window_scale<T>(1, kdh, win_len(ww, ow));
    }
  }
  const Covering cols(ww), rows(wh), deps(wd);
  const ptrdiff_t OH = static_cast<ptrdiff_t>(s.out[1]), H = static_cast<ptrdiff_t>(s.in[1]);
  const ptrdiff_t in_rows = static_cast<ptrdiff_t>(s.in_rows());
  Scratch<T> grad(g.out_image());
  Scratch<T> e(out_rows * W * G);
  // The E rows of the outputs covering each grad_input row, in output order:
  // row_ptrs[row_first[r] .. row_first[r + 1]).
  Scratch<ptrdiff_t> row_first(in_rows + 1);
  for (ptrdiff_t r = 0; r < in_rows; ++r) {
    const ptrdiff_t d = r / H, h = r % H;
    row_first[r + 1] = row_first[r] + (deps.hi[d] - deps.lo[d]) * (rows.hi[h] - rows.lo[h]);
  }
  Scratch<const T*> row_ptrs(row_first[in_rows]);
  for (ptrdiff_t r = 0, k = 0; r < in_rows; ++r) {
    const ptrdiff_t d = r / H, h = r % H;
    for (ptrdiff_t od = deps.lo[d]; od < deps.hi[d]; ++od) {
      for (ptrdiff_t oh = rows.lo[h]; oh < rows.hi[h]; ++oh) {
        row_ptrs[k++] = e.data() + (od * OH + oh) * W * G;
      }
    }
  }
  // Rows narrower than a vector: the group's grad_input image whole, de-interleaved at the end.
  Scratch<T> image(W < L ? g.in_image() : 0);
  const T* src[G];
  T* dst[G];
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.grad_output, s.out_image(), src);
    const int n = group_planes<V>(item, s.images, a.grad_input, s.in_image(), dst);
    interleave_scaled<V>(src, scale.data(), s.out_image(), grad.data());
    // Pass 1: scaled gradients summed along W, one E row per output row.
    V acc[4];
    T* er = e.data();
    for (ptrdiff_t r = 0; r < out_rows; ++r) {
      const T* d = grad.data() + r * OW * G;
      for (ptrdiff_t w = 0; w < W; ++w, er += G) {
        sum_positions4<V>(d + cols.lo[w] * G, G, cols.hi[w] - cols.lo[w], acc);
        for (ptrdiff_t c = 0; c < 4; ++c) V::store(er + c * L, acc[c]);
      }
    }
    // Pass 2 for rows narrower than a vector: the image's positions into scratch, then one
    // de-interleave, whose blocks of L positions run across rows; stored straight into the planes,
    // each position took a vector store and L scalar ones (7x256 planes of 100x3 -> 2x2: 0.57 ->
    // 0.21 ms, -> 7x7 0.63 -> 0.23, fastest of three alternating wasm runs).
    if (W < L) {
      T* p = image.data();
      for (ptrdiff_t r = 0; r < in_rows; ++r) {
        const T* const* rp = row_ptrs.data() + row_first[static_cast<size_t>(r)];
        const ptrdiff_t nrows =
            row_first[static_cast<size_t>(r) + 1] - row_first[static_cast<size_t>(r)];
        for (ptrdiff_t w = 0; w < W; ++w, p += G) {
          for (ptrdiff_t q = 0; q < G; q += L)
            V::store(p + q, sum_rows_at<V>(rp, nrows, w * G + q));
        }
      }
      deinterleave_group<V>(image.data(), s.in_image(), dst, n);
      continue;
    }
    // Pass 2, fused with the de-interleave: each grad_input row is the sum of the E rows of the
    // outputs covering it, added in output order, in the order sum_rows used, so the values are
    // the same bits. L planes at a time, row after row. Summing whole group rows into a scratch
    // image and de-interleaving it afterwards took 60% of the call (avg-bwd-odd), most of it in
    // the de-interleave's second pass over the image.
    for (ptrdiff_t q = 0; q < n; q += L) {
      const ptrdiff_t count = std::min<ptrdiff_t>(L, n - q);
      for (ptrdiff_t r = 0; r < in_rows; ++r) {
        const T* const* rp = row_ptrs.data() + row_first[static_cast<size_t>(r)];
        const ptrdiff_t nrows =
            row_first[static_cast<size_t>(r) + 1] - row_first[static_cast<size_t>(r)];
        if (count < L) {
          store_bwd_row_lanes<V>(rp, nrows, W, r * W, q, count, dst + q);
        } else if (nrows == 1) {
          store_bwd_row<V, 1>(rp, nrows, W, r * W, q, dst + q);
        } else if (nrows == 2) {
          store_bwd_row<V, 2>(rp, nrows, W, r * W, q, dst + q);
        } else {
          store_bwd_row<V, 0>(rp, nrows, W, r * W, q, dst + q);
        }
      }
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nchw_groups, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
