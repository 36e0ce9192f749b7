// Max pooling backward, channels-first: grad_input[index] += grad_output, in output order. A work
// item is a band of input rows of one plane: it zeroes its band and takes the outputs whose index
// falls in it, so a plane can be split across threads while each element still receives its
// gradients in output order. Indices outside the plane are never written (the op layer rejects
// them before any kernel runs, so only the band filter compares them).
#include <algorithm>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void maxpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t plane = s.in_image(), out_plane = s.out_image();
  if (a.bands == 1) {
    // Whole planes: zero one, scatter into it while it is still in L1, next.
    for (int64_t img = begin; img < end; ++img) {
      T* gi = a.grad_input + img * plane;
      zero<V>(gi, plane);
      const T* g = a.grad_output + img * out_plane;
      const int32_t* idx = a.indices + img * out_plane;
      for (const T* g_end = g + out_plane; g < g_end; ++g, ++idx)
        gi[*idx] += *g;  // checked by the op
    }
    return;
  }
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / a.bands, band = item % a.bands;
    const int64_t lo = band * s.in_rows() / a.bands * s.in[2];
    const int64_t hi = (band + 1) * s.in_rows() / a.bands * s.in[2];
    T* gi = a.grad_input + img * plane;
    zero<V>(gi + lo, hi - lo);
    const T* g = a.grad_output + img * out_plane;
    const int32_t* idx = a.indices + img * out_plane;
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t i = idx[o];
      if (i >= lo && i < hi) gi[i] += g[o];
    }
  }
}

AP_INSTANTIATE(maxpool_bwd_nchw, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
