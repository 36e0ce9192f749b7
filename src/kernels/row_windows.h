// Pass 2 of the channels-first average: the scaled sums of every W window of a summed row.
// The shape of the W window table picks the loop once per call (RowWindows):
// - gather: every window has length 1 (output at least as wide as the input, e.g. 2x upsampling),
//   so each output is one scaled element and no summing loop runs at all (row_gather.h);
// - sliding: windows of one length k at starts 0, 1, 2, ... (near-identity): output j..j+L is the
//   sum of k shifted vector loads;
// - groups: four windows at a time, one vector accumulator each, reduced together by one 4x4
//   transpose (V::hsum4) instead of one horizontal sum per window; long windows (audio) and short
//   ones (image, video) both keep four independent add chains in flight, and a window's last,
//   partial vector is one masked load (lane_mask.h) rather than a scalar loop. Windows of L or
//   fewer elements are that masked vector alone: 1080p -> 720p (windows of 2) went from 5.68 to
//   3.65 ms (wasm, best of 3 alternating runs) against summing each window element by element.
//   In float32, the leading groups masked with the same 1 to 3 whole vectors (image-1080p) run a
//   loop of their own (masked_window_sums), for up to three rows that share the W windows;
// - pairs: windows of one length k tiling the row, k = n L or n L + L / 2 with n >= 2 (audio's
//   3000 -> 100: k = 30 = 7 x 4 + 2). Two windows then span whole vectors from where the row
//   starts: n each, and for n L + L / 2 the middle one split in halves, so every load is aligned
//   when the row is (in the groups every other window's are not) and no lane is loaded only to be
//   masked off. Against the groups, best of 11-15 alternating runs: audio-1d 0.27 against 0.32 ms,
//   80 x 2800 -> 200 (k = 14) 0.25 against 0.39, 80 x 4096 -> 128 (k = 32) 0.41 against 0.51. For
//   tiled windows in general (any k, four windows sharing up to three split vectors) nothing
//   measured faster than the groups: 0.32-0.47 against 0.31-0.36 ms on audio-1d, with the masks
//   loaded or kept in registers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "lane_mask.h"
#include "row_gather.h"
#include "rows.h"
#include "scratch.h"
#include "uniform_windows.h"

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
  int64_t k = 0;                // the common window length when sliding or in pairs
  int64_t pair_n = 0;           // n when the windows are read in pairs, else 0
  Scratch<WindowGroup> groups;  // windows 0 .. 4 * groups.size(), unless another loop runs
  // Float32: groups [0, masked_groups) are masked with the same masked_vectors whole vectors, 1
  // to 3, and go through masked_window_sums, which takes each window's start and lane mask as
  // int32. (The last group is often not masked: its masked load would leave the row.)
  int64_t masked_vectors = 0;
  size_t masked_groups = 0;
  Scratch<int32_t> masked_start, masked_mask;
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
  // window cleared, instead of element by element after the reduction. Windows of L or fewer
  // elements (vec 0: 1080p -> 720p) are that vector alone.
  g.masked = L > 1 && (g.vec > 0 ? kmax - g.vec < L : kmax <= L) && g.start[3] + g.vec + L <= ww.in;
  for (int m = 0; m < 4; ++m) g.keep[m] = g.end[m] - g.start[m] - g.vec;
  return g;
}

template <class V>
RowWindows plan_row_windows(const AxisWindows& ww) {
  constexpr int64_t L = V::kLanes;
  bool gather = true;
  for (int64_t o = 0; gather && o < ww.out; ++o) gather = win_len(ww, o) == 1;
  if (gather) {
    return RowWindows{true,
                      plan_row_gather<V>(ww),
                      false,
                      0,
                      0,
                      Scratch<WindowGroup>(),
                      0,
                      0,
                      Scratch<int32_t>(),
                      Scratch<int32_t>()};
  }
  const int64_t k = win_len(ww, 0);
  const bool sliding = L > 1 && sliding_window_len(ww, L) > 0;
  const int64_t pair_n = L > 1 && !sliding && (k % L == 0 || k % L == L / 2) && k / L >= 2 &&
                                 ww.out >= 4 && uniform_window_len(ww) == k
                             ? k / L
                             : 0;
  const int64_t groups = sliding || pair_n > 0 ? 0 : ww.out / 4;
  const int64_t masked_slots = L == 4 ? 4 * groups : 0;
  RowWindows p{false,
               RowGather{},
               sliding,
               k,
               pair_n,
               Scratch<WindowGroup>(groups),
               0,
               0,
               Scratch<int32_t>(masked_slots),
               Scratch<int32_t>(4 * masked_slots)};
  for (size_t i = 0; i < p.groups.size(); ++i) {
    p.groups[i] = plan_window_group<V>(ww, 4 * static_cast<int64_t>(i));
  }
  if (L == 4 && !p.groups.empty()) {
    const int64_t vec = p.groups[0].vec;
    size_t n = 0;
    while (n < p.groups.size() && vec >= L && vec <= 3 * L && p.groups[n].masked &&
           p.groups[n].vec == vec) {
      for (int m = 0; m < 4; ++m) {
        p.masked_start[4 * n + m] = static_cast<int32_t>(p.groups[n].start[m]);
        for (int l = 0; l < 4; ++l) {
          p.masked_mask[16 * n + 4 * m + l] = l < p.groups[n].keep[m] ? -1 : 0;
        }
      }
      ++n;
    }
    p.masked_vectors = n > 0 ? vec / L : 0;
    p.masked_groups = n;
  }
  return p;
}

#if AP_HAVE_SIMD
// The groups' loop for groups masked with NV whole vectors (image-1080p: windows of 9 and 10
// columns, two vectors and a masked third) and R rows that share the W windows (the output rows
// of a pass-1 group, rows.h): each group's starts and lane masks are loaded once for the R rows,
// the vector count is known, and no branch runs per group; the adds are the groups' loop's, in its
// order, so the sums are its bits. mask: each window's lane mask as 4 int32. On image-1080p, pass
// 2 and the per-row setup took 0.216 ms of the 0.86 ms call; with this loop row by row 0.170, and
// three rows at once 0.157 (wasm, best of 7 alternating runs with pass 1 left out).
template <class V, int NV, int R>
void masked_window_sums(const typename V::Elem* const* rows, const int32_t* start,
                        const int32_t* mask, size_t groups, const typename V::Elem* const* scale,
                        typename V::Elem* const* out) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  const T* row[R];
  const T* sc[R];
  T* o[R];
  for (int r = 0; r < R; ++r) row[r] = rows[r], sc[r] = scale[r], o[r] = out[r];
  for (size_t i = 0; i < groups; ++i, start += 4, mask += 16) {
    V keep[4];
    ptrdiff_t st[4];  // in locals: the stores below might alias start[] as far as LLVM knows
    for (int m = 0; m < 4; ++m) keep[m] = {wasm_v128_load(mask + 4 * m)}, st[m] = start[m];
    for (int r = 0; r < R; ++r) {
      V acc[4];
      for (int m = 0; m < 4; ++m) {
        const T* p = row[r] + st[m];
        V a = V::load(p);
        for (int v = 1; v < NV; ++v) a = V::add(a, V::load(p + v * L));
        acc[m] = V::add(a, V{wasm_v128_and(V::load(p + NV * L).v, keep[m].v)});
      }
      V::store(o[r] + 4 * i, V::mul(V::hsum4_vec(acc), V::load(sc[r] + 4 * i)));
    }
  }
}
#endif

// The pairs loop over windows [0, OW rounded down to 4) of k = n L (kSplit false) or n L + L / 2
// (kSplit); returns the first window left. n is known at compile time when N > 0, so the windows'
// offsets from the first are constants, which wasm folds into the loads. The loop over a window's
// vectors stays rolled: unrolled, LLVM moved the loads of all four windows ahead of their adds and
// V8 spilled them (audio-1d no faster than the groups); counted at run time with the offsets in
// registers, audio-1d took 0.29 ms against 0.27.
template <class V, bool kSplit, int N>
int64_t paired_window_sums_n(const typename V::Elem* row, ptrdiff_t n_run, int64_t OW,
                             const typename V::Elem* scale, typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  const ptrdiff_t n = N > 0 ? N : n_run;
  const ptrdiff_t k = n * L + (kSplit ? L / 2 : 0);
  const ptrdiff_t next = n * L + (kSplit ? L : 0);  // from window 0's first vector to window 1's
  int64_t ow = 0;
  for (; ow + 4 <= OW; ow += 4) {
    const T* p[4];  // the first whole vector of each window
    p[0] = row + static_cast<ptrdiff_t>(ow) * k;
    p[1] = p[0] + next;
    p[2] = p[0] + 2 * k;
    p[3] = p[2] + next;
    V a[4], b[4], acc[4];  // two add chains per window
    for (int m = 0; m < 4; ++m) {
      a[m] = V::load(p[m]);
      b[m] = V::load(p[m] + L);
    }
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
    for (ptrdiff_t j = 2; j + 1 < n; j += 2) {
      for (int m = 0; m < 4; ++m) {
        a[m] = V::add(a[m], V::load(p[m] + j * L));
        b[m] = V::add(b[m], V::load(p[m] + (j + 1) * L));
      }
    }
    for (int m = 0; m < 4; ++m) {
      if (n % 2) a[m] = V::add(a[m], V::load(p[m] + (n - 1) * L));
      acc[m] = V::add(a[m], b[m]);
    }
    if constexpr (kSplit) {
      V lo, hi;
      split_halves(V::load(p[0] + n * L), &lo, &hi);
      acc[0] = V::add(acc[0], lo);
      acc[1] = V::add(acc[1], hi);
      split_halves(V::load(p[2] + n * L), &lo, &hi);
      acc[2] = V::add(acc[2], lo);
      acc[3] = V::add(acc[3], hi);
    }
    if constexpr (L == 4) {
      V::store(out + ow, V::mul(V::hsum4_vec(acc), V::load(scale + ow)));
    } else {
      T sum[4];
      V::hsum4(acc, sum);
      for (int m = 0; m < 4; ++m) out[ow + m] = sum[m] * scale[ow + m];
    }
  }
  return ow;
}

// paired_window_sums_n for n, with N = n compiled for n from 2 to kMaxN, at run time above.
template <class V, bool kSplit, int kMaxN = 8>
int64_t paired_window_sums(const typename V::Elem* row, ptrdiff_t n, int64_t OW,
                           const typename V::Elem* scale, typename V::Elem* out) {
  if constexpr (kMaxN < 2) {
    return paired_window_sums_n<V, kSplit, 0>(row, n, OW, scale, out);
  } else {
    if (n == kMaxN) return paired_window_sums_n<V, kSplit, kMaxN>(row, n, OW, scale, out);
    return paired_window_sums<V, kSplit, kMaxN - 1>(row, n, OW, scale, out);
  }
}

// masked_window_sums over the plan's masked groups for rows[0..n), n <= 3; returns the first
// window left (0 when the plan has none).
template <class V>
int64_t masked_prefix([[maybe_unused]] const typename V::Elem* const* rows, [[maybe_unused]] int n,
                      [[maybe_unused]] const RowWindows& p,
                      [[maybe_unused]] const typename V::Elem* const* scale,
                      [[maybe_unused]] typename V::Elem* const* out) {
#if AP_HAVE_SIMD
  if constexpr (std::is_same<V, F32x4>::value) {
    if (p.masked_groups > 0) {
      with_count_to_8(p.masked_vectors, [&](auto NV) {
        constexpr int kNV = decltype(NV)::value;
        if constexpr (kNV <= 3) {
          const size_t g = p.masked_groups;
          const int32_t *st = p.masked_start.data(), *mask = p.masked_mask.data();
          if (n == 3) masked_window_sums<V, kNV, 3>(rows, st, mask, g, scale, out);
          if (n == 2) masked_window_sums<V, kNV, 2>(rows, st, mask, g, scale, out);
          if (n == 1) masked_window_sums<V, kNV, 1>(rows, st, mask, g, scale, out);
        }
      });
      return static_cast<int64_t>(4 * p.masked_groups);
    }
  }
#endif
  return 0;
}

// out[o] = scale[o] * (sum of row over W window o) for o < ww.out; the first `done` windows are
// left alone (masked_prefix wrote them).
template <class V>
void row_window_sums(const typename V::Elem* row, const AxisWindows& ww, const RowWindows& p,
                     const typename V::Elem* scale, typename V::Elem* out, int64_t done = -1) {
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
  if constexpr (L > 1) {
    if (p.pair_n > 0) {
      const ptrdiff_t n = static_cast<ptrdiff_t>(p.pair_n);
      ow = p.k % L != 0 ? paired_window_sums<V, true>(row, n, OW, scale, out)
                        : paired_window_sums<V, false>(row, n, OW, scale, out);
    }
  }
  ow = std::max(ow, done >= 0 ? done : masked_prefix<V>(&row, 1, p, &scale, &out));
  for (size_t gi = static_cast<size_t>(ow / 4); gi < p.groups.size(); ++gi) {
    const WindowGroup& g = p.groups[gi];
    T sum[4];
    if (g.vec > 0 || g.masked) {
      V acc[4];
      if (g.vec == 0) {  // windows of L or fewer elements: the masked vector alone
        for (int m = 0; m < 4; ++m) acc[m] = keep_first(V::load(row + g.start[m]), g.keep[m]);
      } else {
        for (int m = 0; m < 4; ++m) acc[m] = V::load(row + g.start[m]);
        for (int64_t i = L; i < g.vec; i += L) {
          for (int m = 0; m < 4; ++m) acc[m] = V::add(acc[m], V::load(row + g.start[m] + i));
        }
        if (g.masked) {
          for (int m = 0; m < 4; ++m) {
            acc[m] = V::add(acc[m], keep_first(V::load(row + g.start[m] + g.vec), g.keep[m]));
          }
        }
      }
      if (g.masked) {
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

// row_window_sums for rows[0..n), n <= 3, which share the W windows.
template <class V>
void row_window_sums(const typename V::Elem* const* rows, int n, const AxisWindows& ww,
                     const RowWindows& p, const typename V::Elem* const* scale,
                     typename V::Elem* const* out) {
  const int64_t done = masked_prefix<V>(rows, n, p, scale, out);
  for (int k = 0; k < n; ++k) row_window_sums<V>(rows[k], ww, p, scale[k], out[k], done);
}

}  // namespace kernels
}  // namespace adaptive_pool
