// Max pooling backward, channels-first: grad_input[index] += grad_output, in output order. A work
// item is a band of input rows of one plane: it zeroes its band and takes the outputs whose index
// falls in it, so a plane can be split across threads while each element still receives its
// gradients in output order. Indices outside the plane are never written (the op layer rejects
// them before any kernel runs, so only the band filter compares them).
#include "kernels.h"
#include "rows.h"
#include "zero_then_scatter.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// gi[idx[o]] += g[o] for o < n, in output order (an index met twice gets its adds in that order).
// Unrolled by eight: V8 turns each line into six instructions (index load, address, two loads, add,
// store) and the unrolled loop sheds most of the per-element loop overhead (max-bwd-odd: the call
// about 9% faster than one at a time). Vector loads of four indices with lane extracts were 8-16%
// slower than these scalar loads, and so was scattering two planes alternately.
template <typename T>
inline void scatter_add(T* gi, const T* g, const int32_t* idx, int64_t n) {
  const int32_t* const end = idx + n;
  for (; end - idx >= 8; idx += 8, g += 8) {
    gi[idx[0]] += g[0];
    gi[idx[1]] += g[1];
    gi[idx[2]] += g[2];
    gi[idx[3]] += g[3];
    gi[idx[4]] += g[4];
    gi[idx[5]] += g[5];
    gi[idx[6]] += g[6];
    gi[idx[7]] += g[7];
  }
  for (; idx < end; ++idx, ++g) gi[*idx] += *g;  // checked by the op
}

}  // namespace

template <class V>
void maxpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t plane = s.in_image(), out_plane = s.out_image();
  if (a.bands == 1) {
    zero_then_scatter(a.grad_input, plane, begin, end, [&](int64_t img) {
      scatter_add(a.grad_input + img * plane, a.grad_output + img * out_plane,
                  a.indices + img * out_plane, out_plane);
    });
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
