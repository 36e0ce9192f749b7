// Max pooling forward, channels-last: SIMD along C, each window scanned in row-major order with
// PyTorch's rule (first maximum wins, last NaN wins), the position kept per lane. See nhwc_rows.h.
#include <cstddef>

#include "kernels.h"
#include "nhwc_rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void maxpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  Scratch<ptrdiff_t> rows(max_win_len(s.windows->d) * max_win_len(s.windows->h));
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows(), r = item % s.out_rows();
    max_fwd_nhwc_row<V>(s, a.input + img * s.in_image(), r / s.out[1], r % s.out[1], rows.data(),
                        a.output + item * s.out_row_len(), a.indices + item * s.out_row_len());
  }
}

AP_INSTANTIATE(maxpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
