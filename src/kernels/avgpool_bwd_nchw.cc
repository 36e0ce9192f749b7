// Average pooling backward, channels-first, as a gather: each work item owns one grad_input row.
// The deltas of one output row spread along W (E[w] = sum of the deltas of the W windows holding
// w: expand_by_stores, expand_by_position or expand_row) are computed once and kept in a small
// cache, since consecutive input rows are covered by the same output rows; the input row is then
// the SIMD sum of the E rows covering it, in output order. No two items write one element, so rows
// can go to any thread. Small planes go to avgpool_bwd_nchw_groups.cc instead.
#include <algorithm>

#include "kernels.h"
#include "lane_mask.h"
#include "row_gather.h"
#include "row_sums.h"
#include "rows.h"
#include "scratch.h"
#include "window_scales.h"

namespace adaptive_pool {
namespace kernels {

namespace {

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

// Whether rows expand by position (expand_by_position) and how it finds the deltas of position w:
// the outputs covering w are consecutive, [cols.lo[w], cols.hi[w]); with at most two of them,
// second[w] is the other one or, for a position with one, the zero at delta[OW].
// By position when windows are short: the loop by window costs about 30 cycles a window
// (profiled), by position a few per position. Growing and near-identity W take it (28 -> 56:
// 18.9 -> 3.4 ms; 56 -> 55: 3.2 -> 1.0 ms). Windows of about eight positions or more stay by
// window: avg-bwd-image (8 or 9) took 2.92 ms by position against 2.30 with expand_row (fastest
// of six wasm runs), before expand_by_stores made by window cheaper still; 56 -> 7, 112 -> 5 and
// 224 -> 3, 7 or 28 measured within noise either way. Short windows stay by position even where
// expand_by_stores could take them: 256 -> 255 took 6.2 ms by stores against 5.1, 112 -> 100 2.29
// against 2.12 (fastest of three alternating wasm runs).
// first_delta and second_delta (pairs only) are shuffle plans (row_gather.h) reading delta[lo[w]]
// and delta[second[w]] (or zero) for L positions at once.
template <class V>
struct PositionPlan {
  const Covering& cols;
  const ptrdiff_t most;  // the most outputs covering one position
  const bool by_position;
  const bool pairs;  // by position, every position covered by one or two outputs
  Scratch<ptrdiff_t> second;
  RowGather first_delta, second_delta;
  PositionPlan(const Covering& c, ptrdiff_t W, ptrdiff_t OW)
      : cols(c),
        most(c.most()),
        by_position(W * most < 8 * OW),
        pairs(by_position && most <= 2),
        second(seconds(c, pairs ? W : 0, OW)),
        first_delta(pairs ? plan_gather<V>(W, OW + 1, [&](int64_t w) { return c.lo[w]; })
                          : RowGather{}),
        second_delta(pairs ? plan_gather<V>(W, OW + 1,
                                            [&](int64_t w) {
                                              const ptrdiff_t o = second[static_cast<size_t>(w)];
                                              return o < OW ? o : -1;
                                            })
                           : RowGather{}) {}
  static Scratch<ptrdiff_t> seconds(const Covering& c, ptrdiff_t W, ptrdiff_t OW) {
    Scratch<ptrdiff_t> t(W);
    for (ptrdiff_t w = 0; w < W; ++w) {
      t[static_cast<size_t>(w)] = c.hi[w] - c.lo[w] == 2 ? c.lo[w] + 1 : OW;
    }
    return t;
  }
};

// expand_row by input position rather than by window: the deltas g[ow] * scale[ow] with SIMD into
// delta[0..OW) (delta[OW] is 0), then e[w] = the sum of the deltas covering w, in output order.
// expand_row's loop per window is branchy (about 30 cycles a window in wasm): for windows of a few
// positions (growing or near-identity sizes) this does a few loads per position instead, without
// branches when every position has one or two deltas (adding the zero changes no sum but -0's).
// With pairs, the SIMD build takes L positions' first and second deltas with one shuffle each
// (PositionPlan's gathers; a group whose deltas lie further apart goes one position at a time):
// 256 -> 255 took 4.70 ms against 5.21 one position at a time, 112 -> 100 1.93 against 2.13
// (fastest of five alternating wasm runs).
template <class V>
void expand_by_position(const typename V::Elem* g, const typename V::Elem* scale, ptrdiff_t OW,
                        const PositionPlan<V>& plan, ptrdiff_t W, typename V::Elem* delta,
                        typename V::Elem* e) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  ptrdiff_t o = 0;
  for (; o + L <= OW; o += L) V::store(delta + o, V::mul(V::load(g + o), V::load(scale + o)));
  for (; o < OW; ++o) delta[o] = g[o] * scale[o];
  const ptrdiff_t* lo = plan.cols.lo;
  if (plan.pairs) {
    const ptrdiff_t* second = plan.second.data();
    ptrdiff_t w = 0;
#if AP_HAVE_SIMD
    if constexpr (L > 1) {
      const int64_t* base1 = plan.first_delta.base.data();
      const int64_t* base2 = plan.second_delta.base.data();
      const uint8_t* mask1 = plan.first_delta.mask.data();
      const uint8_t* mask2 = plan.second_delta.mask.data();
      const ptrdiff_t groups = static_cast<ptrdiff_t>(plan.first_delta.base.size());
      for (ptrdiff_t i = 0; i < groups; ++i, w += L) {
        if (base1[i] < 0 || base2[i] < 0) {
          for (ptrdiff_t k = w; k < w + L; ++k) e[k] = delta[lo[k]] + delta[second[k]];
          continue;
        }
        const v128_t a =
            wasm_i8x16_swizzle(wasm_v128_load(delta + base1[i]), wasm_v128_load(mask1 + i * 16));
        const v128_t b =
            wasm_i8x16_swizzle(wasm_v128_load(delta + base2[i]), wasm_v128_load(mask2 + i * 16));
        V::store(e + w, V::add(V{a}, V{b}));
      }
    }
#endif
    for (; w < W; ++w) e[w] = delta[lo[w]] + delta[second[w]];
    return;
  }
  const ptrdiff_t* hi = plan.cols.hi;
  for (ptrdiff_t w = 0; w < W; ++w) {
    T sum = delta[lo[w]];
    for (ptrdiff_t k = lo[w] + 1; k < hi[w]; ++k) sum += delta[k];
    e[w] = sum;
  }
}

// The stores of expand_by_stores, per W window: where its vectors start, and how many lanes of
// its first vector the window before also holds. Usable (ok) when no position is in three windows
// and no two windows share more than a vector's lanes: every shared position is then in the later
// window's first vector. Shrinking W by two or more does this (1920 -> 224: windows of 9 or 10
// positions, sharing one); windows of up to kMaxVectors vectors, longer ones stay with expand_row,
// which spends its per-window cost on more positions.
struct StorePlan {
  static constexpr ptrdiff_t kMaxVectors = 8;
  bool ok;
  ptrdiff_t vectors = 1;  // per window: the most any window needs
  Scratch<ptrdiff_t> table;
  const ptrdiff_t *start, *shared;
  StorePlan(const AxisWindows& ww, ptrdiff_t most, ptrdiff_t lanes) : table(2 * ww.out) {
    const ptrdiff_t OW = static_cast<ptrdiff_t>(ww.out);
    ptrdiff_t* t = table.data();
    ok = lanes > 1 && most <= 2;
    for (ptrdiff_t o = 0; o < OW; ++o) {
      t[o] = static_cast<ptrdiff_t>(win_start(ww, o));
      t[OW + o] = o > 0 ? static_cast<ptrdiff_t>(win_end(ww, o - 1)) - t[o] : 0;
      ok = ok && t[OW + o] <= lanes;
      vectors = std::max(vectors, (static_cast<ptrdiff_t>(win_len(ww, o)) + lanes - 1) / lanes);
    }
    ok = ok && vectors <= kMaxVectors;
    start = t, shared = t + OW;
  }
};

// expand_row with vector stores only, when plan.ok. Windows go in order, each storing its delta in
// NV whole vectors from its start; the first one adds the previous window's delta in the lanes
// the two share (keep_first), in output order as PyTorch does (a lane of one window gets + 0, so
// a -0 delta comes out +0, as in PyTorch's zero-initialised sum). A position's last store is from
// the last window holding it, so what a window stores past its end is overwritten, up to
// NV * L - 1 past the row (e's slack). expand_row's branchy loop took about 30 cycles a window;
// avg-bwd-image expands 672 rows of 224 windows, and this made the call about 19% faster (fastest
// of three alternating wasm runs, 2.05 -> 1.66 ms).
template <class V, int NV>
void expand_by_stores(const typename V::Elem* g, const typename V::Elem* scale, ptrdiff_t OW,
                      const StorePlan& plan, typename V::Elem* delta, typename V::Elem* e) {
  constexpr ptrdiff_t L = V::kLanes;
  ptrdiff_t o = 0;
  for (; o + L <= OW; o += L) V::store(delta + o, V::mul(V::load(g + o), V::load(scale + o)));
  for (; o < OW; ++o) delta[o] = g[o] * scale[o];
  // Locals, not plan's members: the stores to e could alias them, and each would be reloaded.
  const ptrdiff_t* const start = plan.start;
  const ptrdiff_t* const shared = plan.shared;
  V prev = V::splat(0);
  for (o = 0; o < OW; ++o) {
    const V d = V::splat(delta[o]);
    typename V::Elem* q = e + start[o];
    V::store(q, V::add(keep_first(prev, shared[o]), d));
    for (ptrdiff_t k = 1; k < NV; ++k) V::store(q + k * L, d);
    prev = d;
  }
}

}  // namespace

template <class V>
void avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];
  // Covering outputs from per-call tables, not two binary searches per row (with the copies of
  // repeated rows below, 56x56 -> 7x7 went from 0.47 to 0.36 ms, fastest of six wasm runs).
  const Covering deps(wd), rows(wh), cols(ww);
  const PositionPlan<V> plan(cols, W, OW);
  const StorePlan stores(ww, plan.most, V::kLanes);
  Scratch<T> delta(plan.by_position || stores.ok ? OW + 1 : 0);  // delta[OW] stays 0

  // Cache of expanded output rows, keyed by their global output row number.
  const size_t slots = static_cast<size_t>(deps.most() * rows.most());
  // Slack for expand_row (L - 1) and expand_by_stores (NV * L - 1).
  const size_t stride = static_cast<size_t>(W + StorePlan::kMaxVectors * V::kLanes);
  Scratch<T> expanded(static_cast<int64_t>(slots * stride));
  Scratch<int64_t> key(static_cast<int64_t>(slots), -1);
  Scratch<char> used(static_cast<int64_t>(slots));
  Scratch<const T*> parts(static_cast<int64_t>(slots));
  WindowScales<T> scales(ww);  // a division per window cost avg-bwd-image 3-10%

  int64_t prev[5] = {-1, -1, -1, -1, -1};  // the previous item's image and covering outputs
  for (int64_t item = begin; item < end; ++item) {
    const int64_t img = item / s.in_rows();
    const int64_t d = item % s.in_rows() / s.in[1];
    const int64_t h = item % s.in[1];
    T* row = a.grad_input + item * W;
    const int64_t od0 = deps.lo[d], od1 = deps.hi[d], oh0 = rows.lo[h], oh1 = rows.hi[h];

    // A row covered by the outputs that covered the previous one (windows of several rows) is a
    // copy of it: the lookups below cost more than the copy (fastest of six wasm runs: 56x56 -> 1x1
    // 0.27 -> 0.13 ms, 112x112 -> 5x5 0.17 -> 0.12 ms).
    const int64_t now[5] = {img, od0, od1, oh0, oh1};
    if (std::equal(now, now + 5, prev)) {
      copy<V>(row, row - W, W);
      continue;
    }
    std::copy(now, now + 5, prev);

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
          const T* g = a.grad_output + k * OW;
          const T* scale = scales.at(win_len(wd, od) * win_len(wh, oh));
          if (plan.by_position) {
            expand_by_position<V>(g, scale, OW, plan, W, delta.data(), e);
          } else if (stores.ok) {
            with_count_to_8(stores.vectors, [&](auto NV) {
              expand_by_stores<V, decltype(NV)::value>(g, scale, OW, stores, delta.data(), e);
            });
          } else {
            expand_row<V>(g, ww, scale, e);
          }
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
