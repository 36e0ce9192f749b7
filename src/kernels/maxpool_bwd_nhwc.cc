// Max pooling backward, channels-last: grad_input[index, c] += grad_output[o, c], in output order.
// A work item is a band of channels of one image, so one image can be split across threads
// without two of them adding into one element. Indices outside the plane are never written (the
// op layer rejects them before any kernel runs).
#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void maxpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t C = s.channels;
  const int64_t positions = s.in_image() / C, out_positions = s.out_image() / C;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / a.bands, band = item % a.bands;
    const int64_t c0 = band * C / a.bands, c1 = (band + 1) * C / a.bands;
    T* gi = a.grad_input + img * s.in_image();
    for (int64_t p = 0; p < positions; ++p) {
      for (int64_t c = c0; c < c1; ++c) gi[p * C + c] = T(0);
    }
    const T* g = a.grad_output + img * s.out_image();
    const int32_t* idx = a.indices + img * s.out_image();
    for (int64_t o = 0; o < out_positions; ++o) {
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t i = idx[o * C + c];
        if (i >= 0 && i < positions) gi[i * C + c] += g[o * C + c];
      }
    }
  }
}

AP_INSTANTIATE(maxpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
