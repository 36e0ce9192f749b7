// Average pooling backward, channels-first, as a gather: each work item owns one grad_input row
// and adds the deltas of every output whose window covers it, in output order (od, oh, ow) -- the
// order in which PyTorch's scatter adds them, so each element gets the same sum. No two items
// write one element, so rows can go to any thread.
#include <algorithm>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.in_rows();
    const int64_t d = item % s.in_rows() / s.in[1];
    const int64_t h = item % s.in[1];
    T* row = a.grad_input + item * W;
    std::fill(row, row + W, T(0));
    int64_t od0, od1, oh0, oh1;
    covering(wd, d, &od0, &od1);
    covering(wh, h, &oh0, &oh1);
    for (int64_t od = od0; od < od1; ++od) {
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const T* g = a.grad_output + ((img * s.out[0] + od) * s.out[1] + oh) * OW;
        const T kd = static_cast<T>(win_len(wd, od)), kh = static_cast<T>(win_len(wh, oh));
        for (int64_t ow = 0; ow < OW; ++ow) {
          const T delta = g[ow] / kd / kh / static_cast<T>(win_len(ww, ow));
          for (int64_t w = win_start(ww, ow); w < win_end(ww, ow); ++w) row[w] += delta;
        }
      }
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nchw, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
