// Channels-first kernels for small planes (a 7x7 or 13x17 feature map): one plane has too few
// elements for SIMD along W to pay, so each work item interleaves L planes into a channels-last
// image of exactly L channels (4x4 shuffles), runs the channels-last row code of nhwc_rows.h
// with one vector per position, and de-interleaves the result. Lanes past the last plane repeat
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
  g.channels = V::kLanes;
  return g;
}

// Plane pointers of group `item`: L of them, the last valid plane repeated past the end.
template <typename P>
int group_planes(int64_t item, int64_t planes, int64_t lanes, P base, int64_t plane_size, P* ptr) {
  const int64_t p0 = item * lanes;
  for (int64_t l = 0; l < lanes; ++l) ptr[l] = base + std::min(p0 + l, planes - 1) * plane_size;
  return static_cast<int>(std::min(lanes, planes - p0));
}

}  // namespace

template <class V>
void avgpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> in(static_cast<size_t>(g.in_image())), out(static_cast<size_t>(g.out_image()));
  AvgRowScratch<T> scratch(g);
  const T* src[L];
  T* dst[L];
  for (int64_t item = begin; item < end; ++item) {
    group_planes(item, s.images, L, a.input, s.in_image(), src);
    const int n = group_planes(item, s.images, L, a.output, s.out_image(), dst);
    V::interleave(src, s.in_image(), in.data());
    for (int64_t r = 0; r < g.out_rows(); ++r) {
      avg_fwd_nhwc_row<V>(g, in.data(), r / g.out[1], r % g.out[1],
                          out.data() + r * g.out_row_len(), &scratch);
    }
    V::deinterleave(out.data(), s.out_image(), dst, n);
  }
}

template <class V>
void maxpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> in(static_cast<size_t>(g.in_image())), out(static_cast<size_t>(g.out_image()));
  std::vector<int32_t> idx(static_cast<size_t>(g.out_image()));
  const T* src[L];
  T* dst[L];
  int32_t* dst_idx[L];
  for (int64_t item = begin; item < end; ++item) {
    group_planes(item, s.images, L, a.input, s.in_image(), src);
    const int n = group_planes(item, s.images, L, a.output, s.out_image(), dst);
    group_planes(item, s.images, L, a.indices, s.out_image(), dst_idx);
    V::interleave(src, s.in_image(), in.data());
    for (int64_t r = 0; r < g.out_rows(); ++r) {
      max_fwd_nhwc_row<V>(g, in.data(), r / g.out[1], r % g.out[1],
                          out.data() + r * g.out_row_len(), idx.data() + r * g.out_row_len());
    }
    V::deinterleave(out.data(), s.out_image(), dst, n);
    V::deinterleave(idx.data(), s.out_image(), dst_idx, n);
  }
}

template <class V>
void avgpool_bwd_nchw_groups(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const Shape g = group_shape<V>(s);
  std::vector<T> grad(static_cast<size_t>(g.out_image())), gi(static_cast<size_t>(g.in_image()));
  const T* src[L];
  T* dst[L];
  for (int64_t item = begin; item < end; ++item) {
    group_planes(item, s.images, L, a.grad_output, s.out_image(), src);
    const int n = group_planes(item, s.images, L, a.grad_input, s.in_image(), dst);
    V::interleave(src, s.out_image(), grad.data());
    for (int64_t r = 0; r < g.in_rows(); ++r) {
      avg_bwd_nhwc_row<V>(g, grad.data(), r / g.in[1], r % g.in[1], gi.data() + r * g.in_row_len());
    }
    V::deinterleave(gi.data(), s.in_image(), dst, n);
  }
}

AP_INSTANTIATE(avgpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(maxpool_fwd_nchw_groups, ForwardArgs)
AP_INSTANTIATE(avgpool_bwd_nchw_groups, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
