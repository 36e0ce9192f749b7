// Average pooling backward, channels-last, as a gather: each work item owns one grad_input row
// (all W*C elements) and adds the deltas of the outputs covering it in output order, SIMD along C.
// Same per-element order as PyTorch's scatter.
#include <algorithm>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t C = s.channels, row_len = s.in_row_len();
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.in_rows();
    const int64_t d = item % s.in_rows() / s.in[1];
    const int64_t h = item % s.in[1];
    T* row = a.grad_input + item * row_len;
    std::fill(row, row + row_len, T(0));
    int64_t od0, od1, oh0, oh1;
    covering(wd, d, &od0, &od1);
    covering(wh, h, &oh0, &oh1);
    for (int64_t od = od0; od < od1; ++od) {
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const T* g = a.grad_output + ((img * s.out[0] + od) * s.out[1] + oh) * s.out_row_len();
        const V vkd = V::splat(static_cast<T>(win_len(wd, od)));
        const V vkh = V::splat(static_cast<T>(win_len(wh, oh)));
        for (int64_t ow = 0; ow < s.out[2]; ++ow) {
          const int64_t kw = win_len(ww, ow);
          const V vkw = V::splat(static_cast<T>(kw));
          const T* go = g + ow * C;
          int64_t c = 0;
          for (; c + L <= C; c += L) {
            const V delta = V::div(V::div(V::div(V::load(go + c), vkd), vkh), vkw);
            for (int64_t w = win_start(ww, ow); w < win_end(ww, ow); ++w) {
              V::store(row + w * C + c, V::add(V::load(row + w * C + c), delta));
            }
          }
          for (; c < C; ++c) {
            const T delta = go[c] / static_cast<T>(win_len(wd, od)) /
                            static_cast<T>(win_len(wh, oh)) / static_cast<T>(kw);
            for (int64_t w = win_start(ww, ow); w < win_end(ww, ow); ++w) row[w * C + c] += delta;
          }
        }
      }
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
