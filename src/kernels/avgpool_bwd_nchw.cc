// Average pooling backward, channels-first, as a gather: each work item owns one grad_input row.
// The deltas of one output row spread along W (E[w] = sum of the deltas of the W windows holding
// w) are computed once and kept in a small cache, since consecutive input rows are covered by the
// same output rows; the input row is then the SIMD sum of the E rows covering it, in output order.
// No two items write one element, so rows can go to any thread. Small planes go to
// nchw_plane_groups.cc instead.
#include <algorithm>

#include "kernels.h"
#include "rows.h"
#include "scratch.h"
#include "window_scales.h"

namespace adaptive_pool {
namespace kernels {

namespace {

int64_t max_cover(const AxisWindows& w) {
  int64_t m = 1;
  for (int64_t i = 0; i < w.in; ++i) {
    int64_t lo, hi;
    covering(w, i, &lo, &hi);
    m = std::max(m, hi - lo);
  }
  return m;
}

// e[w] = the sum, in output order, of the deltas (g[ow] * scale[ow]) of the W windows of grad row
// g that hold w.
// Positions no earlier window reached are assigned with vector stores of the delta (they may run
// up to L - 1 past the window: the next windows assign those positions again, since windows start
// no later than the previous one ends; e has L - 1 elements of slack); positions an earlier window
// reached get the delta added, so overlaps accumulate as in PyTorch's loop.
template <class V>
void expand_row(const typename V::Elem* g, const AxisWindows& ww, const typename V::Elem* scale,
                typename V::Elem* e) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  int64_t filled = 0;  // e[0, filled) holds sums of earlier windows
  for (int64_t ow = 0; ow < ww.out; ++ow) {
    const T delta = g[ow] * scale[ow];
    const int64_t w0 = win_start(ww, ow), w1 = win_end(ww, ow);
    int64_t w = w0;
    for (; w < std::min(w1, filled); ++w) e[w] += delta;
    const V d = V::splat(delta);
    for (; w < w1; w += L) V::store(e + w, d);
    filled = std::max(filled, w1);
  }
}

}  // namespace

template <class V>
void avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];

  // Cache of expanded output rows, keyed by their global output row number.
  const size_t slots = static_cast<size_t>(max_cover(wd) * max_cover(wh));
  const size_t stride = static_cast<size_t>(W + V::kLanes - 1);  // slack for expand_row
  Scratch<T> expanded(static_cast<int64_t>(slots * stride));
  Scratch<int64_t> key(static_cast<int64_t>(slots), -1);
  Scratch<char> used(static_cast<int64_t>(slots));
  Scratch<const T*> parts(static_cast<int64_t>(slots));
  WindowScales<T> scales(ww);  // a division per window cost avg-bwd-image 3-10%

  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.in_rows();
    const int64_t d = item % s.in_rows() / s.in[1];
    const int64_t h = item % s.in[1];
    T* row = a.grad_input + item * W;
    int64_t od0, od1, oh0, oh1;
    covering(wd, d, &od0, &od1);
    covering(wh, h, &oh0, &oh1);

    // Keep the cached rows this input row needs, then fill the missing ones into the others.
    std::fill(used.begin(), used.end(), 0);
    for (int64_t od = od0; od < od1; ++od) {
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const int64_t k = (img * s.out[0] + od) * s.out[1] + oh;
        const size_t slot = static_cast<size_t>(std::find(key.begin(), key.end(), k) - key.begin());
        if (slot < slots) used[slot] = 1;
      }
    }
    size_t nparts = 0;
    for (int64_t od = od0; od < od1; ++od) {
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const int64_t k = (img * s.out[0] + od) * s.out[1] + oh;
        size_t slot = static_cast<size_t>(std::find(key.begin(), key.end(), k) - key.begin());
        T* e;
        if (slot < slots) {
          e = expanded.data() + slot * stride;
        } else {
          slot = static_cast<size_t>(std::find(used.begin(), used.end(), 0) - used.begin());
          used[slot] = 1;
          key[slot] = k;
          e = expanded.data() + slot * stride;
          expand_row<V>(a.grad_output + k * OW, ww, scales.at(win_len(wd, od) * win_len(wh, oh)),
                        e);
        }
        parts[nparts++] = e;
      }
    }
    if (nparts == 1) {
      copy<V>(row, parts[0], W);
    } else {
      sum_rows<V>(parts.data(), static_cast<int64_t>(nparts), W, false, row);
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nchw, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
