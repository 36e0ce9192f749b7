// Average pooling backward, channels-last, as a gather: each work item owns one grad_input row
// (all W*C elements) and adds the deltas of the outputs covering it in output order (od, oh, ow),
// the order PyTorch's scatter adds in, SIMD along C.
#include "kernels.h"
#include "rows.h"
#include "window_scales.h"

namespace adaptive_pool {
namespace kernels {

// A row covered by the same outputs as the row before it (the input shrinks along H or D: 93 of
// 100 rows for 100 -> 7) is a copy of that row, which this call computed. Covering outputs and
// window factors come from per-call tables, not two binary searches and a division per window.
// Fastest of three alternating wasm runs, 64 channels: 27 images of 100x3 -> 7x7 1.00 -> 0.18 ms,
// 56x56 -> 7x7 2.45 -> 1.39, 28x28 -> 56x56 3.91 -> 2.70, 4 images of 56x56 -> 55x55 1.24 -> 0.82.
template <class V>
void avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const Covering deps(wd), rows(wh);
  WindowScales<T> scales(ww);
  const ptrdiff_t C = static_cast<ptrdiff_t>(s.channels), H = static_cast<ptrdiff_t>(s.in[1]);
  const ptrdiff_t OH = static_cast<ptrdiff_t>(s.out[1]), OW = static_cast<ptrdiff_t>(s.out[2]);
  const ptrdiff_t row_len = static_cast<ptrdiff_t>(s.in_row_len());
  const ptrdiff_t out_row_len = static_cast<ptrdiff_t>(s.out_row_len());
  const ptrdiff_t in_rows = static_cast<ptrdiff_t>(s.in_rows());
  const ptrdiff_t vector_end = C - C % L;
  for (int64_t item = begin; item < end; ++item) {
    const ptrdiff_t r = static_cast<ptrdiff_t>(item % in_rows), d = r / H, h = r % H;
    T* row = a.grad_input + item * row_len;
    if (item > begin && r > 0) {
      const ptrdiff_t pd = h > 0 ? d : d - 1, ph = h > 0 ? h - 1 : H - 1;
      if (deps.lo[d] == deps.lo[pd] && deps.hi[d] == deps.hi[pd] && rows.lo[h] == rows.lo[ph] &&
          rows.hi[h] == rows.hi[ph]) {
        copy<V>(row, row - row_len, row_len);
        continue;
      }
    }
    const T* grad_image = a.grad_output + (item / in_rows) * s.out_image();
    zero<V>(row, row_len);
    for (ptrdiff_t od = deps.lo[d]; od < deps.hi[d]; ++od) {
      for (ptrdiff_t oh = rows.lo[h]; oh < rows.hi[h]; ++oh) {
        const T* g = grad_image + (od * OH + oh) * out_row_len;
        const T* scale = scales.at(win_len(wd, od) * win_len(wh, oh));
        for (ptrdiff_t ow = 0; ow < OW; ++ow) {
          const ptrdiff_t w0 = static_cast<ptrdiff_t>(win_start(ww, ow));
          const ptrdiff_t w1 = static_cast<ptrdiff_t>(win_end(ww, ow));
          const V vscale = V::splat(scale[ow]);
          const T* go = g + ow * C;
          ptrdiff_t c = 0;
          for (; c < vector_end; c += L) {
            const V delta = V::mul(V::load(go + c), vscale);
            for (T* p = row + w0 * C + c; p < row + w1 * C; p += C) {
              V::store(p, V::add(V::load(p), delta));
            }
          }
          for (; c < C; ++c) {
            const T delta = go[c] * scale[ow];
            for (ptrdiff_t w = w0; w < w1; ++w) row[w * C + c] += delta;
          }
        }
      }
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
