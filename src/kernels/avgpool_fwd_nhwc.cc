// Average pooling forward, channels-last. Pass 1 sums the input rows of an output row's (d, h)
// window with SIMD along the contiguous W*C row; pass 2 sums each W window with SIMD along C (four
// vectors at a time, then one, then a scalar tail of C % lanes channels). Global pooling keeps a
// block of channels in registers while it walks every position of the image.
#include <vector>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// out[c] = sum over positions p < np of in[p * stride + c], for c < C, divided as PyTorch does.
template <class V>
void sum_positions(const typename V::Elem* in, int64_t np, int64_t stride, int64_t C, int64_t kd,
                   int64_t kh, int64_t kw, typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const V vkd = V::splat(static_cast<T>(kd)), vkh = V::splat(static_cast<T>(kh));
  const V vkw = V::splat(static_cast<T>(kw));
  int64_t c = 0;
  for (; c + 4 * L <= C; c += 4 * L) {
    const T* p = in + c;
    V a0 = V::load(p), a1 = V::load(p + L), a2 = V::load(p + 2 * L), a3 = V::load(p + 3 * L);
    for (int64_t i = 1; i < np; ++i) {
      p += stride;
      a0 = V::add(a0, V::load(p));
      a1 = V::add(a1, V::load(p + L));
      a2 = V::add(a2, V::load(p + 2 * L));
      a3 = V::add(a3, V::load(p + 3 * L));
    }
    V::store(out + c, V::div(V::div(V::div(a0, vkd), vkh), vkw));
    V::store(out + c + L, V::div(V::div(V::div(a1, vkd), vkh), vkw));
    V::store(out + c + 2 * L, V::div(V::div(V::div(a2, vkd), vkh), vkw));
    V::store(out + c + 3 * L, V::div(V::div(V::div(a3, vkd), vkh), vkw));
  }
  for (; c + L <= C; c += L) {
    V a = V::load(in + c);
    for (int64_t i = 1; i < np; ++i) a = V::add(a, V::load(in + i * stride + c));
    V::store(out + c, V::div(V::div(V::div(a, vkd), vkh), vkw));
  }
  for (; c < C; ++c) {
    T a = in[c];
    for (int64_t i = 1; i < np; ++i) a += in[i * stride + c];
    out[c] = divide_window(a, kd, kh, kw);
  }
}

}  // namespace

template <class V>
void global_avgpool_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const Shape& s = a.s;
  const int64_t positions = s.in[0] * s.in[1] * s.in[2];
  for (int64_t img = begin; img < end; ++img) {
    sum_positions<V>(a.input + img * s.in_image(), positions, s.channels, s.channels, s.in[0],
                     s.in[1], s.in[2], a.output + img * s.channels);
  }
}

template <class V>
void avgpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t C = s.channels, row_len = s.in_row_len();

  std::vector<T> acc(static_cast<size_t>(row_len));
  std::vector<const T*> rows(static_cast<size_t>(max_win_len(wd) * max_win_len(wh)));
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.out_rows();
    const int64_t od = item % s.out_rows() / s.out[1];
    const int64_t oh = item % s.out[1];
    const T* image = a.input + img * s.in_image();
    T* out = a.output + item * s.out_row_len();

    // Pass 1: the (d, h) window's rows, summed in row-major order.
    int64_t nrows = 0;
    for (int64_t d = win_start(wd, od); d < win_end(wd, od); ++d) {
      for (int64_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) {
        rows[static_cast<size_t>(nrows++)] = image + (d * s.in[1] + h) * row_len;
      }
    }
    const T* row = rows[0];
    if (nrows > 1) {
      sum_rows<V>(rows.data(), nrows, row_len, acc.data());
      row = acc.data();
    }

    // Pass 2: W windows, SIMD along C.
    for (int64_t ow = 0; ow < s.out[2]; ++ow) {
      sum_positions<V>(row + win_start(ww, ow) * C, win_len(ww, ow), C, C, win_len(wd, od),
                       win_len(wh, oh), win_len(ww, ow), out + ow * C);
    }
  }
}

AP_INSTANTIATE(global_avgpool_nhwc, ForwardArgs)
AP_INSTANTIATE(avgpool_fwd_nhwc, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
