// Max pooling forward, channels-first, small planes in groups of 16 (nchw_plane_groups.h): the
// planes interleaved whole, each window scanned in row-major order four vectors per position
// (max_window, nhwc_rows.h), the values and indices de-interleaved.
#include <cstddef>
#include <type_traits>

#include "kernels.h"
#include "nchw_plane_groups.h"
#include "nhwc_rows.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

namespace {

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

}  // namespace

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

AP_INSTANTIATE(maxpool_fwd_nchw_groups, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
