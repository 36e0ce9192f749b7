// Average pooling backward, channels-first, as a gather: each work item owns one grad_input row.
// The deltas of one output row spread along W (E[w] = sum of the deltas of the W windows holding
// w) are computed once and kept in a small cache, since consecutive input rows are covered by the
// same output rows; the input row is then the SIMD sum of the E rows covering it, in output order.
// No two items write one element, so rows can go to any thread. Small planes go to
// nchw_plane_groups.cc instead.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "rows.h"

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

}  // namespace

template <class V>
void avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];

  // Cache of expanded output rows, keyed by their global output row number.
  const size_t slots = static_cast<size_t>(max_cover(wd) * max_cover(wh));
  std::vector<T> expanded(slots * static_cast<size_t>(W));
  std::vector<int64_t> key(slots, -1);
  std::vector<char> used(slots);
  std::vector<const T*> parts(slots);

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
          e = expanded.data() + slot * static_cast<size_t>(W);
        } else {
          slot = static_cast<size_t>(std::find(used.begin(), used.end(), 0) - used.begin());
          used[slot] = 1;
          key[slot] = k;
          e = expanded.data() + slot * static_cast<size_t>(W);
          zero<V>(e, W);
          const T* g = a.grad_output + k * OW;
          const int64_t kdh = win_len(wd, od) * win_len(wh, oh);
          for (int64_t ow = 0; ow < OW; ++ow) {
            const T delta = g[ow] * window_scale<T>(1, kdh, win_len(ww, ow));
            for (int64_t w = win_start(ww, ow); w < win_end(ww, ow); ++w) e[w] += delta;
          }
        }
        parts[nparts++] = e;
      }
    }
    if (nparts == 1) {
      std::memcpy(row, parts[0], static_cast<size_t>(W) * sizeof(T));
    } else {
      sum_rows<V>(parts.data(), static_cast<int64_t>(nparts), W, row);
    }
  }
}

AP_INSTANTIATE(avgpool_bwd_nchw, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
