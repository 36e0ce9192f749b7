// Pass 2 of the channels-first average: the scaled sums of every W window of one summed row.
// The shape of the W window table picks the loop once per call (RowWindows):
// - gather: every window has length 1 (output at least as wide as the input, e.g. 2x upsampling),
//   so each output is one scaled element and no summing loop runs at all (row_gather.h);
// - sliding: windows of one length k at starts 0, 1, 2, ... (near-identity): output j..j+L is the
//   sum of k shifted vector loads;
// - groups: four windows at a time, one vector accumulator each, reduced together by one 4x4
//   transpose (V::hsum4) instead of one horizontal sum per window; long windows (audio) and short
//   ones (image, video) both keep four independent add chains in flight, and a window's last,
//   partial vector is one masked load (lane_mask.h) rather than a scalar loop. For windows that
//   tile the row (audio's 3000 -> 100, k = 30), reading four windows as the k aligned vectors they
//   span, the one vector two windows share split by a mask, was slower or no faster with k known
//   only at run time, even with the loop unrolled for the count of whole vectors (0.32-0.47 against
//   0.31-0.36 ms, best of 7-11 alternating runs); only a loop unrolled for k = 30 itself gained
//   (0.28-0.31), which is not worth a kernel per window length. Two add chains per window did not
//   help (audio is not bound by add latency).
#pragma once

#include <algorithm>
#include <cstdint>

#include "lane_mask.h"
#include "row_gather.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

// Four W windows summed together. Everything here depends only on the W window table, so it is
// worked out once per call rather than once per row.
struct WindowGroup {
  int64_t start[4];
  int64_t end[4];
  int64_t vec;      // elements every window sums in whole vectors (0: a window is shorter)
  bool masked;      // each window's rest is one masked vector; else summed element by element
  int64_t keep[4];  // lanes of that vector inside the window, when masked
};

struct RowWindows {
  bool gather = false;
  RowGather gathers;  // when gather
  bool sliding = false;
  int64_t k = 0;                // the common window length when sliding
  Scratch<WindowGroup> groups;  // windows 0 .. 4 * groups.size(), unless gather or sliding
};

template <class V>
WindowGroup plan_window_group(const AxisWindows& ww, int64_t ow) {
  constexpr int64_t L = V::kLanes;
  WindowGroup g;
  int64_t kmin = win_len(ww, ow), kmax = kmin;
  for (int m = 0; m < 4; ++m) {
    g.start[m] = win_start(ww, ow + m);
    g.end[m] = win_end(ww, ow + m);
    kmin = std::min(kmin, g.end[m] - g.start[m]);
    kmax = std::max(kmax, g.end[m] - g.start[m]);
  }
  g.vec = kmin >= L ? kmin - kmin % L : 0;
  // Every window's rest fits one more vector inside the row: add it with its lanes past the
  // window cleared, instead of element by element after the reduction.
  g.masked = L > 1 && g.vec > 0 && kmax - g.vec < L && g.start[3] + g.vec + L <= ww.in;
  for (int m = 0; m < 4; ++m) g.keep[m] = g.end[m] - g.start[m] - g.vec;
  return g;
}

template <class V>
RowWindows plan_row_windows(const AxisWindows& ww) {
  constexpr int64_t L = V::kLanes;
  bool gather = true;
  for (int64_t o = 0; gather && o < ww.out; ++o) gather = win_len(ww, o) == 1;
  if (gather) return RowWindows{true, plan_row_gather<V>(ww), false, 0, Scratch<WindowGroup>()};
  const int64_t k = win_len(ww, 0);
  bool sliding = L > 1 && ww.out >= L;
  for (int64_t o = 0; sliding && o < ww.out; ++o) {
    sliding = win_start(ww, o) == o && win_len(ww, o) == k;
  }
  RowWindows p{false, RowGather{}, sliding, k, Scratch<WindowGroup>(sliding ? 0 : ww.out / 4)};
  for (size_t i = 0; i < p.groups.size(); ++i) {
    p.groups[i] = plan_window_group<V>(ww, 4 * static_cast<int64_t>(i));
  }
  return p;
}

// out[o] = scale[o] * (sum of row over W window o) for o < ww.out.
template <class V>
void row_window_sums(const typename V::Elem* row, const AxisWindows& ww, const RowWindows& p,
                     const typename V::Elem* scale, typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const int64_t OW = ww.out;
  const int64_t* start = ww.start.data();
  const int64_t* end = ww.end.data();
  int64_t ow = 0;
  if (p.gather) {
    gather_row<V>(row, ww, p.gathers, scale, out);
    return;
  }
  if (p.sliding) {
    const V vscale = V::splat(scale[0]);
    for (; ow + L <= OW; ow += L) {
      V sum = V::load(row + ow);
      for (int64_t j = 1; j < p.k; ++j) sum = V::add(sum, V::load(row + ow + j));
      V::store(out + ow, V::mul(sum, vscale));
    }
  }
  for (const WindowGroup& g : p.groups) {
    T sum[4];
    if (g.vec > 0) {
      V acc[4] = {V::load(row + g.start[0]), V::load(row + g.start[1]), V::load(row + g.start[2]),
                  V::load(row + g.start[3])};
      for (int64_t i = L; i < g.vec; i += L) {
        for (int m = 0; m < 4; ++m) acc[m] = V::add(acc[m], V::load(row + g.start[m] + i));
      }
      if (g.masked) {
        for (int m = 0; m < 4; ++m) {
          acc[m] = V::add(acc[m], keep_first(V::load(row + g.start[m] + g.vec), g.keep[m]));
        }
        if constexpr (L == 4) {  // the four sums are one vector: scale and store them as one
          V::store(out + ow, V::mul(V::hsum4_vec(acc), V::load(scale + ow)));
          ow += 4;
          continue;
        }
      }
      V::hsum4(acc, sum);
      if (!g.masked) {
        for (int m = 0; m < 4; ++m) {
          for (int64_t i = g.start[m] + g.vec; i < g.end[m]; ++i) sum[m] += row[i];
        }
      }
    } else {
      for (int m = 0; m < 4; ++m) {
        sum[m] = row[g.start[m]];
        for (int64_t i = g.start[m] + 1; i < g.end[m]; ++i) sum[m] += row[i];
      }
    }
    for (int m = 0; m < 4; ++m) out[ow + m] = sum[m] * scale[ow + m];
    ow += 4;
  }
  for (; ow < OW; ++ow)
    out[ow] = contiguous_sum<V>(row + start[ow], end[ow] - start[ow]) * scale[ow];
}

}  // namespace kernels
}  // namespace adaptive_pool
