// Average pooling forward, channels-last: SIMD along C (see nhwc_rows.h). Global pooling keeps a
// block of channels in registers while it walks every position of the image.
#include <algorithm>
#include <vector>

#include "kernels.h"
#include "nhwc_rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void global_avgpool_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const int64_t C = s.channels, positions = s.in[0] * s.in[1] * s.in[2];
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  const V vscale = V::splat(scale);
  // Positions outermost: the image streams through once, four positions at a time into a row of
  // C sums that stays in L1. (Channels outermost would walk `positions` streams C apart, which
  // for C = 2048 all fall into one cache set.)
  for (int64_t img = begin; img < end; ++img) {
    const T* in = a.input + img * s.in_image();
    T* out = a.output + img * C;
    std::copy(in, in + C, out);
    int64_t p = 1;
    for (; p + 4 <= positions; p += 4) {
      const T* r0 = in + p * C;
      const T *r1 = r0 + C, *r2 = r1 + C, *r3 = r2 + C;
      int64_t c = 0;
      for (; c + L <= C; c += L) {
        const V sum = V::add(V::add(V::load(r0 + c), V::load(r1 + c)),
                             V::add(V::load(r2 + c), V::load(r3 + c)));
        V::store(out + c, V::add(V::load(out + c), sum));
      }
      for (; c < C; ++c) out[c] += (r0[c] + r1[c]) + (r2[c] + r3[c]);
    }
    for (; p < positions; ++p) {
      const T* r = in + p * C;
      int64_t c = 0;
      for (; c + L <= C; c += L) V::store(out + c, V::add(V::load(out + c), V::load(r + c)));
      for (; c < C; ++c) out[c] += r[c];
    }
    int64_t c = 0;
    for (; c + L <= C; c += L) V::store(out + c, V::mul(V::load(out + c), vscale));
    for (; c < C; ++c) out[c] *= scale;
  }
}

template <class V>
void avgpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  AvgRowScratch<typename V::Elem> scratch(s);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows(), r = item % s.out_rows();
    avg_fwd_nhwc_row<V>(s, a.input + img * s.in_image(), r / s.out[1], r % s.out[1],
                        a.output + item * s.out_row_len(), &scratch);
  }
}

AP_INSTANTIATE(global_avgpool_nhwc, ForwardArgs)
AP_INSTANTIATE(avgpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
