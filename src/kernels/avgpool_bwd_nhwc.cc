// Average pooling backward, channels-last, as a gather: each work item owns one grad_input row
// (all W*C elements) and adds the deltas of the outputs covering it in output order, SIMD along C.
// See nhwc_rows.h.
#include "kernels.h"
#include "nhwc_rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.in_rows(), r = item % s.in_rows();
    avg_bwd_nhwc_row<V>(s, a.grad_output + img * s.out_image(), r / s.in[1], r % s.in[1],
                        a.grad_input + item * s.in_row_len());
  }
}

AP_INSTANTIATE(avgpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
