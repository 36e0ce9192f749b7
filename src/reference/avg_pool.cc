// Reference adaptive average pooling, forward and backward.
#include <cstddef>

#include "reference.h"

namespace adaptive_pool {
namespace reference {

template <typename T>
void avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output) {
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
          T sum = 0;
          for (int64_t id = w.d.start[d]; id < w.d.end[d]; ++id) {
            for (int64_t ih = w.h.start[h]; ih < w.h.end[h]; ++ih) {
              for (int64_t iw = w.w.start[x]; iw < w.w.end[x]; ++iw) {
                sum += input[in.base + ((id * in_h + ih) * in_w + iw) * in.stride];
              }
            }
          }
          // PyTorch divides once per axis, in this order; dividing by a size-1 axis is exact.
          const T kd = static_cast<T>(w.d.end[d] - w.d.start[d]);
          const T kh = static_cast<T>(w.h.end[h] - w.h.start[h]);
          const T kw = static_cast<T>(w.w.end[x] - w.w.start[x]);
          output[out.base + ((od * out_h + oh) * out_w + ow) * out.stride] = sum / kd / kh / kw;
        }
      }
    }
  }
}

template <typename T>
void avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                  T* grad_input) {
  const int64_t in_h = g.in[1], in_w = g.in[2];
  const int64_t out_h = g.out[1], out_w = g.out[2];
  for (int64_t i = 0; i < g.input_numel(); ++i) grad_input[i] = 0;
  for (int64_t p = 0; p < g.planes(); ++p) {
    const PlaneAccess in = plane_access(g, p, g.in_plane());
    const PlaneAccess out = plane_access(g, p, g.out_plane());
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const size_t d = static_cast<size_t>(od), h = static_cast<size_t>(oh),
                       x = static_cast<size_t>(ow);
          const T kd = static_cast<T>(w.d.end[d] - w.d.start[d]);
          const T kh = static_cast<T>(w.h.end[h] - w.h.start[h]);
          const T kw = static_cast<T>(w.w.end[x] - w.w.start[x]);
          const T delta =
              grad_output[out.base + ((od * out_h + oh) * out_w + ow) * out.stride] / kd / kh / kw;
          for (int64_t id = w.d.start[d]; id < w.d.end[d]; ++id) {
            for (int64_t ih = w.h.start[h]; ih < w.h.end[h]; ++ih) {
              for (int64_t iw = w.w.start[x]; iw < w.w.end[x]; ++iw) {
                grad_input[in.base + ((id * in_h + ih) * in_w + iw) * in.stride] += delta;
              }
            }
          }
        }
      }
    }
  }
}

template void avg_forward<float>(const PoolGeometry&, const WindowTables&, const float*, float*);
template void avg_forward<double>(const PoolGeometry&, const WindowTables&, const double*, double*);
template void avg_backward<float>(const PoolGeometry&, const WindowTables&, const float*, float*);
template void avg_backward<double>(const PoolGeometry&, const WindowTables&, const double*,
                                   double*);

}  // namespace reference
}  // namespace adaptive_pool
