// Max pooling forward, channels-last: SIMD along C, each window scanned in row-major order with
// PyTorch's rule `val > max || isnan(val)` (first maximum wins, last NaN wins), the position kept
// per lane. A scalar tail covers C % lanes channels.
#include <limits>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// Window [d0,d1) x [h0,h1) x [w0,w1) of one image, channels [c, c + V::kLanes).
template <class V>
void max_window(const typename V::Elem* image, const Shape& s, int64_t c, int64_t d0, int64_t d1,
                int64_t h0, int64_t h1, int64_t w0, int64_t w1, typename V::Elem* out,
                int32_t* out_idx) {
  using T = typename V::Elem;
  const int64_t C = s.channels;
  V m = V::splat(-std::numeric_limits<T>::infinity());
  typename V::Idx ix = V::idx_splat((d0 * s.in[1] + h0) * s.in[2] + w0);
  for (int64_t d = d0; d < d1; ++d) {
    for (int64_t h = h0; h < h1; ++h) {
      const int64_t row = (d * s.in[1] + h) * s.in[2];
      for (int64_t w = w0; w < w1; ++w) {
        const V v = V::load(image + (row + w) * C + c);
        const typename V::Mask take = V::takes(v, m);
        m = V::select(take, v, m);
        ix = V::idx_select(take, V::idx_splat(row + w), ix);
      }
    }
  }
  V::store(out + c, m);
  V::idx_store_i32(out_idx + c, ix);
}

}  // namespace

template <class V>
void maxpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using S = Scalar<T>;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t C = s.channels;
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows();
    const int64_t od = item % s.out_rows() / s.out[1];
    const int64_t oh = item % s.out[1];
    const T* image = a.input + img * s.in_image();
    const int64_t d0 = win_start(wd, od), d1 = win_end(wd, od);
    const int64_t h0 = win_start(wh, oh), h1 = win_end(wh, oh);
    for (int64_t ow = 0; ow < s.out[2]; ++ow) {
      const int64_t w0 = win_start(ww, ow), w1 = win_end(ww, ow);
      T* out = a.output + (item * s.out[2] + ow) * C;
      int32_t* out_idx = a.indices + (item * s.out[2] + ow) * C;
      int64_t c = 0;
      for (; c + L <= C; c += L) max_window<V>(image, s, c, d0, d1, h0, h1, w0, w1, out, out_idx);
      for (; c < C; ++c) max_window<S>(image, s, c, d0, d1, h0, h1, w0, w1, out, out_idx);
    }
  }
}

AP_INSTANTIATE(maxpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
