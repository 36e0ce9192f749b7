// Average pooling forward, channels-last: SIMD along C (see nhwc_rows.h). Global pooling is in
// global_avgpool.cc.
#include <algorithm>

#include "kernels.h"
#include "nhwc_rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void avgpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  AvgRowScratch<typename V::Elem> scratch(s);
  for (int64_t item = begin; item < end;) {
    const int64_t img = item / s.out_rows(), r = item % s.out_rows();
    // The next output rows may share pass 1 when they are this call's and the same image's.
    const int64_t group_limit = std::min(end - item, s.out_rows() - r);
    item += avg_fwd_nhwc_rows<V>(s, a.input + img * s.in_image(), r / s.out[1], r % s.out[1],
                                 group_limit, a.output + item * s.out_row_len(), &scratch);
  }
}

AP_INSTANTIATE(avgpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
