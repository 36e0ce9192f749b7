// Channels-first kernels for small planes (a 7x7 or 13x17 feature map): one plane has too few
// elements for SIMD along W to pay, so each work item interleaves G = 4 vectors' worth of planes
// (16 float32 or 8 float64) into a channels-last image of G channels (4x4 / 2x2 shuffles), pools
// it with the channels-last row code of nhwc_rows.h (four vectors per position, so the window
// loops run once per 16 planes), and de-interleaves the result. Lanes past the last plane repeat
// it and are never stored.
#include <algorithm>
#include <vector>

#include "kernels.h"
#include "nhwc_rows.h"

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

template <class V, typename E>
void interleave_group(const E* const* src, int64_t n, E* dst) {
  for (int64_t q = 0; q < nchw_group_size<V>(); q += V::kLanes) {
    V::interleave(src + q, n, dst + q, nchw_group_size<V>());
  }
}

template <class V, typename E>
void deinterleave_group(const E* src, int64_t n, E* const* dst, int planes) {
  for (int64_t q = 0; q < planes; q += V::kLanes) {
    const int here = static_cast<int>(std::min<int64_t>(V::kLanes, planes - q));
    V::deinterleave(src + q, nchw_group_size<V>(), n, dst + q, here);
  }
}

}  // namespace

template <class V>
void avgpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t G = nchw_group_size<V>();
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> in(static_cast<size_t>(g.in_image())), out(static_cast<size_t>(g.out_image()));
  AvgRowScratch<T> scratch(g);
  const T* src[G];
  T* dst[G];
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.input, s.in_image(), src);
    const int n = group_planes<V>(item, s.images, a.output, s.out_image(), dst);
    interleave_group<V>(src, s.in_image(), in.data());
    for (int64_t r = 0; r < g.out_rows(); ++r) {
      avg_fwd_nhwc_row<V>(g, in.data(), r / g.out[1], r % g.out[1],
                          out.data() + r * g.out_row_len(), &scratch);
    }
    deinterleave_group<V>(out.data(), s.out_image(), dst, n);
  }
}

template <class V>
void maxpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t G = nchw_group_size<V>();
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> in(static_cast<size_t>(g.in_image())), out(static_cast<size_t>(g.out_image()));
  std::vector<int32_t> idx(static_cast<size_t>(g.out_image()));
  const T* src[G];
  T* dst[G];
  int32_t* dst_idx[G];
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.input, s.in_image(), src);
    const int n = group_planes<V>(item, s.images, a.output, s.out_image(), dst);
    group_planes<V>(item, s.images, a.indices, s.out_image(), dst_idx);
    interleave_group<V>(src, s.in_image(), in.data());
    for (int64_t r = 0; r < g.out_rows(); ++r) {
      max_fwd_nhwc_row<V>(g, in.data(), r / g.out[1], r % g.out[1],
                          out.data() + r * g.out_row_len(), idx.data() + r * g.out_row_len());
    }
    deinterleave_group<V>(out.data(), s.out_image(), dst, n);
    if (V::kLanes == 4) {  // int32 indices share the float32 lanes' shuffles
      deinterleave_group<V>(idx.data(), s.out_image(), dst_idx, n);
    } else {
      for (int64_t i = 0; i < s.out_image(); ++i) {
        for (int l = 0; l < n; ++l) dst_idx[l][i] = idx[static_cast<size_t>(i * G + l)];
      }
    }
  }
}

template <class V>
void avgpool_bwd_nchw_groups(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t G = nchw_group_size<V>();
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> grad(static_cast<size_t>(g.out_image())), gi(static_cast<size_t>(g.in_image()));
  const T* src[G];
  T* dst[G];
  for (int64_t item = begin; item < end; ++item) {
    group_planes<V>(item, s.images, a.grad_output, s.out_image(), src);
    const int n = group_planes<V>(item, s.images, a.grad_input, s.in_image(), dst);
    interleave_group<V>(src, s.out_image(), grad.data());
    for (int64_t r = 0; r < g.in_rows(); ++r) {
      avg_bwd_nhwc_row<V>(g, grad.data(), r / g.in[1], r % g.in[1], gi.data() + r * g.in_row_len());
    }
    deinterleave_group<V>(gi.data(), s.in_image(), dst, n);
  }
}

AP_INSTANTIATE(avgpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(maxpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(avgpool_bwd_nchw_groups, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
