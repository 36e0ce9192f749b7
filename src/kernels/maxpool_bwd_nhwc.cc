// Max pooling backward, channels-last: grad_input[index, c] += grad_output[o, c], in output order.
// A work item is one image: zeroed a chunk of images at a time, as channels-first planes are, and
// scattered into while in cache. Images are not split across threads (run.cc says why). Indices
// outside the plane are never written (the op layer rejects them before any kernel runs).
#include <cstddef>

#include "kernels.h"
#include "rows.h"
#include "zero_then_scatter.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// gi[idx[o * C + c] * C + c] += g[o * C + c] for every output position o < n and channel c < C, in
// output order. Pointer-sized arithmetic: int64_t indices cost a wrap per access in wasm32, and
// with them and a bounds test per element this loop took 9 ns per element.
template <typename T>
void scatter_add_channels(T* gi, const T* g, const int32_t* idx, ptrdiff_t n, ptrdiff_t C) {
  for (ptrdiff_t o = 0; o < n; ++o, g += C, idx += C) {
    for (ptrdiff_t c = 0; c < C; ++c) gi[static_cast<ptrdiff_t>(idx[c]) * C + c] += g[c];
  }
}

}  // namespace

template <class V>
void maxpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  const ptrdiff_t C = static_cast<ptrdiff_t>(s.channels);
  const int64_t image = s.in_image(), out_image = s.out_image();
  const ptrdiff_t out_positions = static_cast<ptrdiff_t>(out_image) / C;
  zero_then_scatter(a.grad_input, image, begin, end, [&](int64_t img) {
    scatter_add_channels(a.grad_input + img * image, a.grad_output + img * out_image,
                         a.indices + img * out_image, out_positions, C);
  });
}

AP_INSTANTIATE(maxpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
