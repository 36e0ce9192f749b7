// Channels-first kernels for small planes (a 7x7 or 13x17 feature map): one plane has too few
// elements for SIMD along W to pay, so each work item interleaves G = 4 vectors' worth of planes
// (16 float32 or 8 float64) into a channels-last image of G channels (4x4 / 2x2 shuffles), pools
// it four vectors per position (so the window loops run once per 16 planes), and de-interleaves
// the result. (The average forward, when its windows shrink the rows, sums rows before it
// interleaves, so less is interleaved.) G is known at compile time and indices are pointer-sized:
// int64_t math costs a wrap per access in wasm32. Lanes past the last plane repeat it and are never
// stored.
#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "kernels.h"
#include "nhwc_rows.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

namespace {

template <class V>
Shape group_shape(const Shape& s) {
  Shape g = s;
  g.images = 1;
  g.channels = nchw_group_size<V>();
  return g;
}

// Plane pointers of group `item`, the last valid plane repeated past the end; returns how many
// are real.
template <class V, typename P>
int group_planes(int64_t item, int64_t planes, P base, int64_t plane_size, P* ptr) {
  const int64_t G = nchw_group_size<V>(), p0 = item * G;
  for (int64_t l = 0; l < G; ++l) ptr[l] = base + std::min(p0 + l, planes - 1) * plane_size;
  return static_cast<int>(std::min(G, planes - p0));
}

// dst[i * G + l] = src[l][i]: all G planes of one block of positions at a time, so each
// destination line is written whole.
template <class V, typename E>
void interleave_group(const E* const* src, ptrdiff_t n, E* dst) {
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  ptrdiff_t i = 0;
  for (; i + L <= n; i += L, dst += L * G) {
    for (ptrdiff_t q = 0; q < G; q += L) V::template interleave_block<G>(src + q, i, dst + q);
  }
  for (; i < n; ++i, dst += G) {
    for (ptrdiff_t l = 0; l < G; ++l) dst[l] = src[l][i];
  }
}

// The inverse, for the first `planes` planes only.
template <class V, typename E>
void deinterleave_group(const E* src, ptrdiff_t n, E* const* dst, int planes) {
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  const ptrdiff_t full = planes - planes % L;  // planes handled in whole blocks
  ptrdiff_t i = 0;
  for (; i + L <= n; i += L) {
    const E* p = src + i * G;
    for (ptrdiff_t q = 0; q < full; q += L) V::template deinterleave_block<G>(p + q, i, dst + q);
  }
  for (; i < n; ++i) {
    for (ptrdiff_t l = 0; l < full; ++l) dst[l][i] = src[i * G + l];
  }
  for (ptrdiff_t l = full; l < planes; ++l) {
    for (ptrdiff_t j = 0; j < n; ++j) dst[l][j] = src[j * G + l];
  }
}

// Whether a NaN may be among p[0..n): their sum is NaN (inf - inf says so too, which only costs
// the caller its fast path). A group's planes are consecutive, so this streams them in order
// ahead of the interleave, which then reads them from L1: on max-odd-13x17 that measured a few
// percent faster than summing the interleaved blocks as they are written.
template <class V>
bool has_nan(const typename V::Elem* p, ptrdiff_t n) {
  typename V::Elem tail;
  const V sum = stream_sum<V>(p, n, &tail);
  return V::any_nan(sum) || tail != tail;
}

// Pointer-sized copies of the window tables: in wasm32 every int64_t index costs a wrap (and a
// multiply may be an i64 one) per access, measurable in loops this short.
// All six in one scratch array: window o of axis D is [d0[o], d1[o]), and so on.
struct GroupWindows {
  Scratch<ptrdiff_t> table;
  ptrdiff_t *d0, *d1, *h0, *h1, *w0, *w1;
  explicit GroupWindows(const WindowTables& t) : table(2 * (t.d.out + t.h.out + t.w.out)) {
    ptrdiff_t* p = table.data();
    p = copy(t.d, p, &d0, &d1);
    p = copy(t.h, p, &h0, &h1);
    copy(t.w, p, &w0, &w1);
  }
  static ptrdiff_t* copy(const AxisWindows& a, ptrdiff_t* p, ptrdiff_t** lo, ptrdiff_t** hi) {
    *lo = p;
    *hi = p + a.out;
    for (int64_t o = 0; o < a.out; ++o) {
      (*lo)[o] = static_cast<ptrdiff_t>(win_start(a, o));
      (*hi)[o] = static_cast<ptrdiff_t>(win_end(a, o));
    }
    return p + 2 * a.out;
  }
};

}  // namespace

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

template <class V>
void maxpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes, K = 4;
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  const GroupWindows win(*s.windows);
  const ptrdiff_t OD = static_cast<ptrdiff_t>(s.out[0]), OH = static_cast<ptrdiff_t>(s.out[1]);
  const ptrdiff_t OW = static_cast<ptrdiff_t>(s.out[2]);
  const ptrdiff_t H = static_cast<ptrdiff_t>(s.in[1]), W = static_cast<ptrdiff_t>(s.in[2]);
  Scratch<T> in(g.in_image()), out(g.out_image());
  Scratch<int32_t> idx(g.out_image());
  Scratch<ptrdiff_t> rows(max_win_len(s.windows->d) * max_win_len(s.windows->h));
  const T* src[G];
  T* dst[G];
  int32_t* dst_idx[G];
  // The group's windows, with PyTorch's full rule or, when the group holds no NaN, its NaN-free
  // half (compare and max: 18% less time on max-odd-13x17).
  auto pool_group = [&](auto no_nan) {
    T* o = out.data();
    int32_t* oi = idx.data();
    for (ptrdiff_t od = 0; od < OD; ++od) {
      for (ptrdiff_t oh = 0; oh < OH; ++oh) {
        ptrdiff_t nrows = 0;
        for (ptrdiff_t d = win.d0[od]; d < win.d1[od]; ++d) {
          for (ptrdiff_t h = win.h0[oh]; h < win.h1[oh]; ++h) rows[nrows++] = (d * H + h) * W;
        }
        for (ptrdiff_t ow = 0; ow < OW; ++ow, o += G, oi += G) {
          for (ptrdiff_t c = 0; c < G; c += K * L) {
            max_window<V, K, decltype(no_nan)::value>(in.data(), G, c, rows.data(), nrows,
                                                      win.w0[ow], win.w1[ow], o, oi);
          }
        }
      }
    }
  };
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.input, s.in_image(), src);
    const int n = group_planes<V>(item, s.images, a.output, s.out_image(), dst);
    group_planes<V>(item, s.images, a.indices, s.out_image(), dst_idx);
    const bool nan = has_nan<V>(src[0], n * s.in_image());
    interleave_group<V>(src, s.in_image(), in.data());
    if (nan) {
      pool_group(std::false_type{});
    } else {
      pool_group(std::true_type{});
    }
    deinterleave_group<V>(out.data(), s.out_image(), dst, n);
    if constexpr (V::kLanes == 4) {  // int32 indices share the float32 lanes' shuffles
      deinterleave_group<V>(idx.data(), s.out_image(), dst_idx, n);
    } else {
      for (int64_t i = 0; i < s.out_image(); ++i) {
        for (int l = 0; l < n; ++l) dst_idx[l][i] = idx.data()[i * G + l];
      }
    }
  }
}

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

AP_INSTANTIATE(avgpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(maxpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(avgpool_bwd_nchw_groups, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
