// Max pooling forward, channels-first, pass 2 (maxpool_fwd_nchw.cc has the whole design): each W
// window's maximum and flat index from the maxima of its columns, with the tie and NaN rules that
// give the element PyTorch's row-major scan picks.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels.h"
#include "lane_mask.h"
#include "max_columns.h"
#include "row_gather.h"
#include "rows.h"
#include "scratch.h"
#include "simd.h"

namespace adaptive_pool {
namespace kernels {
// Internal linkage, for the reason max_columns.h gives.
namespace {

#if AP_HAVE_SIMD
// Pass 2 for float32 columns that may hold NaN, four W windows at a time (merge_columns_x4).
// One step of the column merge: the lanes take column (v, i) when the rule says so. A larger value,
// or an equal one seen earlier in row-major order (a NaN on either side makes both compares false);
// a NaN takes over a number or an earlier NaN. The rule picks the maximum of a total order on
// (value, index), so the order of the steps does not matter and a repeated column changes nothing.
inline v128_t merge_take(v128_t v, v128_t i, v128_t best, v128_t bi) {
  const v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best),
                                   wasm_v128_and(wasm_f32x4_eq(v, best), wasm_i32x4_lt(i, bi)));
  const v128_t vn = wasm_f32x4_ne(v, v), bn = wasm_f32x4_ne(best, best);
  return wasm_v128_or(take,
                      wasm_v128_and(vn, wasm_v128_or(wasm_v128_not(bn), wasm_i32x4_gt(i, bi))));
}

inline void merge_step(v128_t v, v128_t i, v128_t* best, v128_t* bi) {
  const v128_t take = merge_take(v, i, *best, *bi);
  *best = wasm_v128_bitselect(v, *best, take);
  *bi = wasm_v128_bitselect(i, *bi, take);
}

// The same for windows shorter than j + 1 left out (lanes past their window's end).
inline void merge_step_masked(v128_t v, v128_t i, int32_t j, v128_t lenv, v128_t* best,
                              v128_t* bi) {
  const v128_t take =
      wasm_v128_and(merge_take(v, i, *best, *bi), wasm_i32x4_gt(lenv, wasm_i32x4_splat(j)));
  *best = wasm_v128_bitselect(v, *best, take);
  *bi = wasm_v128_bitselect(i, *bi, take);
}

// Columns [j, j + 4) of the four windows whose columns start at pv[k], pi[k], as four steps.
inline void load_steps(const float* const* pv, const int32_t* const* pi, ptrdiff_t j, v128_t* v,
                       v128_t* i) {
  transpose4x4(wasm_v128_load(pv[0] + j), wasm_v128_load(pv[1] + j), wasm_v128_load(pv[2] + j),
               wasm_v128_load(pv[3] + j), v);
  transpose4x4(wasm_v128_load(pi[0] + j), wasm_v128_load(pi[1] + j), wasm_v128_load(pi[2] + j),
               wasm_v128_load(pi[3] + j), i);
}

// Pass 2 for float32 over windows [0, OW rounded down to 4): lane k merges the columns of window
// ow + k with the same rule as the scalar merge. Four contiguous loads and a transpose bring in
// four steps of all four windows. When every window is at least four long, block b of a lane
// starts at min(4b, len - 4): the last block overlaps columns already merged, which the rule
// ignores, so no step needs a mask. Otherwise a lane's steps past its window's end (into the next
// window or the padding after column W - 1) are masked off. Returns the first window left. Steps
// are unrolled by four with constant subscripts, so v and i stay in registers.
ptrdiff_t merge_columns_x4(const AxisWindows& ww, ptrdiff_t OW, const float* col_val,
                           const int32_t* col_idx, float* out, int32_t* out_idx) {
  ptrdiff_t ow = 0;
  for (; ow + 4 <= OW; ow += 4) {
    ptrdiff_t st[4], len[4];
    for (int k = 0; k < 4; ++k) {
      st[k] = static_cast<ptrdiff_t>(win_start(ww, ow + k));
      len[k] = static_cast<ptrdiff_t>(win_len(ww, ow + k));
    }
    const ptrdiff_t kmin = std::min(std::min(len[0], len[1]), std::min(len[2], len[3]));
    const ptrdiff_t kmax = std::max(std::max(len[0], len[1]), std::max(len[2], len[3]));
    const float* pv[4];
    const int32_t* pi[4];
    v128_t v[4], i[4];
    if (kmin >= 4) {
      for (int k = 0; k < 4; ++k) {
        pv[k] = col_val + st[k];
        pi[k] = col_idx + st[k];
      }
      load_steps(pv, pi, 0, v, i);
      v128_t best = v[0], bi = i[0];
      merge_step(v[1], i[1], &best, &bi);
      merge_step(v[2], i[2], &best, &bi);
      merge_step(v[3], i[3], &best, &bi);
      for (ptrdiff_t j = 4; j < kmax; j += 4) {
        for (int k = 0; k < 4; ++k) {
          const ptrdiff_t o = st[k] + std::min(j, len[k] - 4);
          pv[k] = col_val + o;
          pi[k] = col_idx + o;
        }
        load_steps(pv, pi, 0, v, i);
        merge_step(v[0], i[0], &best, &bi);
        merge_step(v[1], i[1], &best, &bi);
        merge_step(v[2], i[2], &best, &bi);
        merge_step(v[3], i[3], &best, &bi);
      }
      wasm_v128_store(out + ow, best);
      wasm_v128_store(out_idx + ow, bi);
      continue;
    }
    for (int k = 0; k < 4; ++k) {
      pv[k] = col_val + st[k];
      pi[k] = col_idx + st[k];
    }
    const v128_t lenv = wasm_i32x4_make(static_cast<int32_t>(len[0]), static_cast<int32_t>(len[1]),
                                        static_cast<int32_t>(len[2]), static_cast<int32_t>(len[3]));
    load_steps(pv, pi, 0, v, i);
    v128_t best = v[0], bi = i[0];  // every window has a first column
    merge_step_masked(v[1], i[1], 1, lenv, &best, &bi);
    merge_step_masked(v[2], i[2], 2, lenv, &best, &bi);
    merge_step_masked(v[3], i[3], 3, lenv, &best, &bi);
    for (int32_t j = 4; j < kmax; j += 4) {
      load_steps(pv, pi, j, v, i);
      merge_step_masked(v[0], i[0], j, lenv, &best, &bi);
      merge_step_masked(v[1], i[1], j + 1, lenv, &best, &bi);
      merge_step_masked(v[2], i[2], j + 2, lenv, &best, &bi);
      merge_step_masked(v[3], i[3], j + 3, lenv, &best, &bi);
    }
    wasm_v128_store(out + ow, best);
    wasm_v128_store(out_idx + ow, bi);
  }
  return ow;
}

// The largest of a's lanes in every lane (no NaN).
inline v128_t splat_max(v128_t a) {
  a = wasm_f32x4_pmax(a, wasm_i32x4_shuffle(a, a, 2, 3, 0, 1));
  return wasm_f32x4_pmax(a, wasm_i32x4_shuffle(a, a, 1, 0, 3, 2));
}

// The columns of the window pv[0..len), len <= 12, holding its largest value (no NaN), as bits:
// below 4 columns one vector with the lanes past the window (the next window, or padding) at
// -inf, else blocks at 0, min(4, len - 4) and len - 4, so no lane needs a mask. With max, also
// stores that value as pmax found it: one of the columns' own values, so when a single column
// holds it, that column's value to the bit (with several, +0 and -0 may both be among them).
inline uint32_t narrow_max_columns(const float* pv, ptrdiff_t len, float* max = nullptr) {
  if (len < 4) {
    const v128_t v = wasm_v128_bitselect(wasm_v128_load(pv), wasm_f32x4_splat(-INFINITY),
                                         wasm_v128_load(kLaneMask32 + 4 - len));
    const v128_t m = splat_max(v);
    if (max != nullptr) *max = wasm_f32x4_extract_lane(m, 0);
    return wasm_i32x4_bitmask(wasm_f32x4_eq(v, m)) & ((1u << len) - 1);
  }
  const ptrdiff_t o1 = std::min<ptrdiff_t>(4, len - 4), o2 = len - 4;
  const v128_t v0 = wasm_v128_load(pv), v1 = wasm_v128_load(pv + o1);
  const v128_t v2 = wasm_v128_load(pv + o2);
  const v128_t m = splat_max(wasm_f32x4_pmax(wasm_f32x4_pmax(v0, v1), v2));
  if (max != nullptr) *max = wasm_f32x4_extract_lane(m, 0);
  return wasm_i32x4_bitmask(wasm_f32x4_eq(v0, m)) | wasm_i32x4_bitmask(wasm_f32x4_eq(v1, m)) << o1 |
         wasm_i32x4_bitmask(wasm_f32x4_eq(v2, m)) << o2;
}

// The smallest flat(c0 + j) over the set bits j of bits, or i if smaller.
template <class Flat>
int32_t first_flat(uint32_t bits, ptrdiff_t c0, const Flat& flat, int32_t i) {
  for (; bits != 0; bits &= bits - 1) i = std::min(i, flat(c0 + __builtin_ctz(bits)));
  return i;
}

// merge_without_nan when every window spans at most 12 columns, in two loops over the output row:
// the first takes each window's largest value and the mask of its columns holding it into
// cols[ow], the second turns the first of those columns into a flat index (the others only on
// ties). In one loop, the loop invariants of both halves did not fit V8's registers and were
// reloaded from the stack for every window: max-image-1080p 1.71 -> 1.56 ms, 1080p -> 720p
// (windows of 2 columns) 12.6 -> 10.2 ms (wasm, best of 3-15 alternating runs). For windows of
// up to 4 columns, merge_columns_x4 on int32 indices from pass 1 was slower still (12.9 ms).
// The first loop also writes the window's largest value to out, which the second keeps unless
// columns tie (then the value is read back from the plane for its sign): no dependent load of
// the plane per window, max-image-1080p 1.64 -> 1.57 ms, 1080p -> 720p 10.1 -> 9.7 ms (wasm,
// best of 7).
template <class Flat>
void merge_narrow_windows(const AxisWindows& ww, ptrdiff_t OW, const float* col_val, Flat flat,
                          const float* plane, float* out, int32_t* out_idx, uint16_t* cols) {
  const int64_t* starts = ww.start.data();
  const int64_t* ends = ww.end.data();
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {
    const ptrdiff_t st = static_cast<ptrdiff_t>(starts[ow]);
    cols[ow] = static_cast<uint16_t>(
        narrow_max_columns(col_val + st, static_cast<ptrdiff_t>(ends[ow]) - st, out + ow));
  }
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {  // the first column, then any others (ties)
    const ptrdiff_t st = static_cast<ptrdiff_t>(starts[ow]);
    const uint32_t bits = cols[ow];
    const uint32_t rest = bits & (bits - 1);
    const int32_t i = flat(st + __builtin_ctz(bits));
    if (rest == 0) {
      out_idx[ow] = i;
    } else {
      const int32_t j = first_flat(rest, st, flat, i);
      out_idx[ow] = j;
      out[ow] = plane[j];
    }
  }
}

// Pass 2 for float32 columns without NaN: a window's largest value first (pmax is exact without
// NaN), then, of its columns holding that value, the smallest flat index (flat(c): the flat index
// of column c's maximum). Each column holds the first row of its maximum, so that is the element
// the row-major scan picks; == is true for -0 against +0, which tie in the scan too, and the value
// is read back from the plane for its sign. Up to 12 columns, narrow_max_columns gives the
// columns holding the maximum as one mask without loops, so the common case (one such column) costs
// a ctz and no branch miss; longer windows are read in blocks starting at min(4j, len - 4), so no
// lane needs a mask. Against merging 64-bit (value, index) keys,
// which had to be written for every column first, this took max-image-1080p from 2.37 to 2.31 ms,
// then to 1.99 from 2.36 once windows of up to 12 columns ran without loops (best of seven runs).
// cols: OW entries of scratch when every window spans at most 12 columns (merge_narrow_windows),
// else null.
template <class Flat>
void merge_without_nan(const AxisWindows& ww, ptrdiff_t OW, const float* col_val, Flat flat,
                       const float* plane, float* out, int32_t* out_idx, uint16_t* cols) {
  if (cols != nullptr) {
    merge_narrow_windows(ww, OW, col_val, flat, plane, out, out_idx, cols);
    return;
  }
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {
    const ptrdiff_t st = static_cast<ptrdiff_t>(win_start(ww, ow));
    const ptrdiff_t len = static_cast<ptrdiff_t>(win_len(ww, ow));
    const float* pv = col_val + st;
    int32_t i = std::numeric_limits<int32_t>::max();
    if (len <= 12) {
      i = first_flat(narrow_max_columns(pv, len), st, flat, i);
    } else {
      v128_t m = wasm_v128_load(pv);
      for (ptrdiff_t j = 4; j < len; j += 4) {
        m = wasm_f32x4_pmax(m, wasm_v128_load(pv + std::min(j, len - 4)));
      }
      m = splat_max(m);
      for (ptrdiff_t j = 0; j < len; j += 4) {
        const ptrdiff_t o = std::min(j, len - 4);
        i = first_flat(wasm_i32x4_bitmask(wasm_f32x4_eq(wasm_v128_load(pv + o), m)), st + o, flat,
                       i);
      }
    }
    out_idx[ow] = i;
    out[ow] = plane[i];
  }
}

// Pass 2 for float32 columns without NaN when the W windows slide by one (k long, window ow at
// column ow: n -> n - k + 1, near-identity), flat[c] the flat index of column c's maximum: outputs
// ow..ow+3 merge k shifted loads of the columns, lane by lane. A column replaces the best so far
// when larger, or equal with a smaller flat index (a later column of an earlier row comes first in
// the row-major scan); values go with their indices, so -0 and +0 come out as the scan picks them.
// The per-window merges took about 30 cycles an output here (112 -> 111: 1.8 ms for 16 planes).
// Scanning each window straight from the plane instead, four outputs a vector by PyTorch's rule
// with no pass 1, was slower: 0.78 against 0.66 ms on 128 planes of 56 -> 55 (fastest of three).
// The last vector overlaps outputs already written, with the same results.
void merge_sliding(const float* col_val, const int32_t* flat, ptrdiff_t k, ptrdiff_t OW, float* out,
                   int32_t* out_idx) {
  auto block = [&](ptrdiff_t ow) {
    v128_t best = wasm_v128_load(col_val + ow), bi = wasm_v128_load(flat + ow);
    for (ptrdiff_t j = 1; j < k; ++j) {
      const v128_t v = wasm_v128_load(col_val + ow + j), i = wasm_v128_load(flat + ow + j);
      const v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best),
                                       wasm_v128_and(wasm_f32x4_eq(v, best), wasm_i32x4_lt(i, bi)));
      best = wasm_v128_bitselect(v, best, take);
      bi = wasm_v128_bitselect(i, bi, take);
    }
    wasm_v128_store(out + ow, best);
    wasm_v128_store(out_idx + ow, bi);
  };
  ptrdiff_t ow = 0;
  for (; ow + 4 <= OW; ow += 4) block(ow);
  if (ow < OW) block(OW - 4);
}

// Whether columns [0, n) hold a NaN. A row whose pass 1 was not clean may hold none: inf - inf
// also poisons the running sum.
inline bool any_nan(const float* p, ptrdiff_t n) {
  v128_t nan = wasm_i32x4_splat(0);
  ptrdiff_t c = 0;
  for (; c + 4 <= n; c += 4) {
    const v128_t v = wasm_v128_load(p + c);
    nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v));
  }
  bool any = wasm_v128_any_true(nan);
  for (; c < n; ++c) any = any || std::isnan(p[c]);
  return any;
}
#endif

// What pass 2 takes from the W windows beyond the columns, worked out once per call.
struct MergePlan {
  bool single_columns;     // every W window is one column (W grows)
  bool f32_gather;         // and float32 columns are gathered (gather)
  RowGather gather;        // their shuffles (row_gather.h)
  ptrdiff_t sliding;       // float32: the windows' length when they slide by one, else 0
  Scratch<uint16_t> cols;  // float32 windows of at most 12 columns: merge_narrow_windows's scratch
};

// Pass 2 when every W window is a single column (W grows): the outputs are the columns' maxima,
// flat(c) the flat index of column c's. The merges' bookkeeping per window made growing rows cost
// about 2 ns an output more (167 planes of 56x56 -> 112x112: 5.7 -> 2.2 ms, fastest of three
// wasm runs, with the copies of repeated rows). Float32 rows instead gather values and flat
// indices (flat[c], c < W) with the average's shuffles (gather_row): the same rows then took 2.19
// -> 1.35 ms, 16 planes of 64x64 -> 128x128 1.01 -> 0.60 (fastest of three alternating runs).
template <typename T, class Flat>
void copy_columns(const AxisWindows& ww, ptrdiff_t OW, const T* col_val, Flat flat, T* out,
                  int32_t* out_idx) {
  const int64_t* starts = ww.start.data();
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {
    const ptrdiff_t c = static_cast<ptrdiff_t>(starts[ow]);
    out[ow] = col_val[c];
    out_idx[ow] = flat(c);
  }
}

// Pass 2 of one output row from its columns' maxima and row offsets (clean: pass 1 saw no NaN):
// merges the columns of each W window, branch-free (random data would make the comparisons
// unpredictable). col_idx becomes flat indices on the way unless the NaN-free float32 merge over
// windows of several columns runs.
template <class V>
void merge_row(const AxisWindows& ww, ptrdiff_t W, MergePlan& plan, [[maybe_unused]] bool clean,
               typename V::Elem* col_val, typename V::Index* col_idx,
               [[maybe_unused]] const typename V::Elem* plane, typename V::Elem* out,
               int32_t* out_idx) {
  using T = typename V::Elem;
  const ptrdiff_t OW = static_cast<ptrdiff_t>(ww.out);
  if (plan.single_columns) {
    if constexpr (std::is_same<typename V::Index, int32_t>::value) {
      if (plan.f32_gather) {
        add_columns<V>(W, col_idx);
        gather_row<V>(col_val, ww, plan.gather, nullptr, out);
        gather_row<V>(col_idx, ww, plan.gather, nullptr, out_idx);
        return;
      }
    }
    copy_columns(
        ww, OW, col_val, [&](ptrdiff_t c) { return static_cast<int32_t>(col_idx[c] + c); }, out,
        out_idx);
    return;
  }
#if AP_HAVE_SIMD
  if constexpr (std::is_same<V, F32x4>::value) {
    if (clean || !any_nan(col_val, W)) {
      if (plan.sliding > 0) {
        add_columns<V>(W, col_idx);
        merge_sliding(col_val, col_idx, plan.sliding, OW, out, out_idx);
        return;
      }
      merge_without_nan(
          ww, OW, col_val, [&](ptrdiff_t c) { return col_idx[c] + static_cast<int32_t>(c); }, plane,
          out, out_idx, plan.cols.data());
      return;
    }
  }
#endif
  add_columns<V>(W, col_idx);
  ptrdiff_t ow = 0;
#if AP_HAVE_SIMD
  if constexpr (std::is_same<V, F32x4>::value) {
    ow = merge_columns_x4(ww, OW, col_val, col_idx, out, out_idx);
  }
#endif
  for (; ow < OW; ++ow) {
    ptrdiff_t c = win_start(ww, ow);
    T best = col_val[c];
    int64_t best_i = col_idx[c];
    for (++c; c < win_end(ww, ow); ++c) {
      const T v = col_val[c];
      const int64_t i = col_idx[c];
      const bool vn = v != v, bn = best != best;
      const bool take =
          (vn & (!bn | (i > best_i))) | (!vn & !bn & ((v > best) | ((v == best) & (i < best_i))));
      best = take ? v : best;
      best_i = take ? i : best_i;
    }
    out[ow] = best;
    out_idx[ow] = static_cast<int32_t>(best_i);
  }
}

}  // namespace
}  // namespace kernels
}  // namespace adaptive_pool
