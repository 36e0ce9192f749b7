// Reference adaptive max pooling, forward (values and indices) and backward.
#include <cmath>
#include <cstddef>
#include <limits>

#include "reference.h"

namespace adaptive_pool {
namespace reference {

template <typename T>
void max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                 int32_t* indices) {
  const int64_t in_h = g.in[1], in_w = g.in[2];
  const int64_t out_h = g.out[1], out_w = g.out[2];
  for (int64_t p = 0; p < g.planes(); ++p) {
    const PlaneAccess in = plane_access(g, p, g.in_plane());
    const PlaneAccess out = plane_access(g, p, g.out_plane());
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const size_t d = static_cast<size_t>(od), h = static_cast<size_t>(oh),
                       x = static_cast<size_t>(ow);
          // PyTorch's rule: first maximum wins, the last NaN wins, all -inf keeps the first
          // position.
          T maxval = -std::numeric_limits<T>::infinity();
          int64_t maxidx = (w.d.start[d] * in_h + w.h.start[h]) * in_w + w.w.start[x];
          for (int64_t id = w.d.start[d]; id < w.d.end[d]; ++id) {
            for (int64_t ih = w.h.start[h]; ih < w.h.end[h]; ++ih) {
              for (int64_t iw = w.w.start[x]; iw < w.w.end[x]; ++iw) {
                const int64_t pos = (id * in_h + ih) * in_w + iw;
                const T val = input[in.base + pos * in.stride];
                if (val > maxval || std::isnan(val)) {
                  maxval = val;
                  maxidx = pos;
                }
              }
            }
          }
          const int64_t o = out.base + ((od * out_h + oh) * out_w + ow) * out.stride;
          output[o] = maxval;
          indices[o] = static_cast<int32_t>(maxidx);  // planes are < 2^31 elements
        }
      }
    }
  }
}

template <typename T>
void max_backward(const PoolGeometry& g, const WindowTables& /*w*/, const T* grad_output,
                  const int32_t* indices, T* grad_input) {
  for (int64_t i = 0; i < g.input_numel(); ++i) grad_input[i] = 0;
  for (int64_t p = 0; p < g.planes(); ++p) {
    const PlaneAccess in = plane_access(g, p, g.in_plane());
    const PlaneAccess out = plane_access(g, p, g.out_plane());
    for (int64_t o = 0; o < g.out_plane(); ++o) {
      const int64_t at = out.base + o * out.stride;
      grad_input[in.base + indices[at] * in.stride] += grad_output[at];
    }
  }
}

template void max_forward<float>(const PoolGeometry&, const WindowTables&, const float*, float*,
                                 int32_t*);
template void max_forward<double>(const PoolGeometry&, const WindowTables&, const double*, double*,
                                  int32_t*);
template void max_backward<float>(const PoolGeometry&, const WindowTables&, const float*,
                                  const int32_t*, float*);
template void max_backward<double>(const PoolGeometry&, const WindowTables&, const double*,
                                   const int32_t*, double*);

}  // namespace reference
}  // namespace adaptive_pool
