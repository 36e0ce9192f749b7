// Average pooling forward, channels-last: SIMD along C (see nhwc_rows.h). Global pooling keeps a
// block of channels in registers while it walks every position of the image.
#include <vector>

#include "kernels.h"
#include "nhwc_rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void global_avgpool_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t positions = s.in[0] * s.in[1] * s.in[2];
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  for (int64_t img = begin; img < end; ++img) {
    sum_positions<V>(a.input + img * s.in_image(), positions, s.channels, scale,
                     a.output + img * s.channels);
  }
}

template <class V>
void avgpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  AvgRowScratch<typename V::Elem> scratch(s);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows(), r = item % s.out_rows();
    avg_fwd_nhwc_row<V>(s, a.input + img * s.in_image(), r / s.out[1], r % s.out[1],
                        a.output + item * s.out_row_len(), &scratch);
  }
}

AP_INSTANTIATE(global_avgpool_nhwc, ForwardArgs)
AP_INSTANTIATE(avgpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
