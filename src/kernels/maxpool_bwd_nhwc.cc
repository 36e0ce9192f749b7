// Max pooling backward, channels-last: grad_input[index, c] += grad_output[o, c], in output order.
// A work item is a band of channels of one image, so one image can be split across threads
// without two of them adding into one element; bands are whole cache lines of channels (run.cc),
// so two threads zeroing neighbouring bands do not take lines from each other. Indices outside
// the plane are never written (the op layer rejects them before any kernel runs).
#include <cstddef>

#include "kernels.h"
#include "rows.h"
#include "zero_then_scatter.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// gi[idx[o * C + c] * C + c] += g[o * C + c] for every output position o < n and channel c in
// [c0, c1), in output order. Pointer-sized arithmetic: int64_t indices cost a wrap per access in
// wasm32, and with them and a bounds test per element this loop took 9 ns per element.
template <typename T>
void scatter_add_channels(T* gi, const T* g, const int32_t* idx, ptrdiff_t n, ptrdiff_t C,
                          ptrdiff_t c0, ptrdiff_t c1) {
  for (ptrdiff_t o = 0; o < n; ++o, g += C, idx += C) {
    for (ptrdiff_t c = c0; c < c1; ++c) gi[static_cast<ptrdiff_t>(idx[c]) * C + c] += g[c];
  }
}

}  // namespace

template <class V>
void maxpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const ptrdiff_t C = static_cast<ptrdiff_t>(s.channels);
  const int64_t image = s.in_image(), out_image = s.out_image();
  const ptrdiff_t positions = static_cast<ptrdiff_t>(image) / C;
  const ptrdiff_t out_positions = static_cast<ptrdiff_t>(out_image) / C;
  if (a.bands == 1) {  // whole images: zeroed a chunk at a time, as channels-first planes are
    zero_then_scatter(a.grad_input, image, begin, end, [&](int64_t img) {
      scatter_add_channels(a.grad_input + img * image, a.grad_output + img * out_image,
                           a.indices + img * out_image, out_positions, C, 0, C);
    });
    return;
  }
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / a.bands, band = item % a.bands;
    const ptrdiff_t c0 = static_cast<ptrdiff_t>(nhwc_band_start<T>(C, a.bands, band));
    const ptrdiff_t c1 = static_cast<ptrdiff_t>(nhwc_band_start<T>(C, a.bands, band + 1));
    T* gi = a.grad_input + img * image;
    for (ptrdiff_t p = 0; p < positions; ++p) zero<V>(gi + p * C + c0, c1 - c0);
    scatter_add_channels(gi, a.grad_output + img * out_image, a.indices + img * out_image,
                         out_positions, C, c0, c1);
  }
}

AP_INSTANTIATE(maxpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
