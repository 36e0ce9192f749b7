// Average pooling forward, channels-first (every plane is an image of one channel).
// Pass 1 sums the input rows of an output row's (d, h) window with SIMD along W; pass 2 sums each
// W window of that row: SIMD inside the window when it is long, a sliding SIMD sum when windows
// are equally long and one apart (near-identity), scalar otherwise.
// Small planes go to nchw_plane_groups.cc instead; global pooling to global_avgpool.cc.
#include <vector>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
void avgpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];

  // Windows all of length k at starts 0, 1, 2, ...: output j..j+L is a sum of k shifted loads.
  const int64_t k_uniform = win_len(ww, 0);
  bool sliding = L > 1 && OW >= L;
  for (int64_t o = 0; sliding && o < OW; ++o) {
    sliding = win_start(ww, o) == o && win_len(ww, o) == k_uniform;
  }

  std::vector<T> acc(static_cast<size_t>(W));
  std::vector<const T*> rows(static_cast<size_t>(max_win_len(wd) * max_win_len(wh)));
  std::vector<T> scale(static_cast<size_t>(OW));  // per W window, for the current kd * kh
  int64_t scale_kdh = -1;
  int64_t img = begin / s.out_rows(), r = begin % s.out_rows();
  for (int64_t item = begin; item < end; ++item, ++r) {
    if (r == s.out_rows()) {
      r = 0;
      ++img;
    }
    const int64_t od = r / s.out[1], oh = r % s.out[1];
    const T* image = a.input + img * s.in_image();
    T* out = a.output + item * OW;

    // Pass 1: the (d, h) window's rows, summed in row-major order.
    int64_t nrows = 0;
    for (int64_t d = win_start(wd, od); d < win_end(wd, od); ++d) {
      for (int64_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) {
        rows[static_cast<size_t>(nrows++)] = image + (d * s.in[1] + h) * W;
      }
    }
    const T* row = rows[0];
    if (nrows > 1) {
      sum_rows<V>(rows.data(), nrows, W, acc.data());
      row = acc.data();
    }
    const int64_t kdh = win_len(wd, od) * win_len(wh, oh);
    if (kdh != scale_kdh) {
      for (int64_t o = 0; o < OW; ++o)
        scale[static_cast<size_t>(o)] = window_scale<T>(1, kdh, win_len(ww, o));
      scale_kdh = kdh;
    }

    // Pass 2: W windows.
    int64_t ow = 0;
    if (sliding) {
      const V vscale = V::splat(scale[0]);
      for (; ow + L <= OW; ow += L) {
        V sum = V::load(row + ow);
        for (int64_t j = 1; j < k_uniform; ++j) sum = V::add(sum, V::load(row + ow + j));
        V::store(out + ow, V::mul(sum, vscale));
      }
    }
    for (; ow < OW; ++ow) {
      const int64_t w0 = win_start(ww, ow);
      out[ow] = contiguous_sum<V>(row + w0, win_end(ww, ow) - w0) * scale[static_cast<size_t>(ow)];
    }
  }
}

AP_INSTANTIATE(avgpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
