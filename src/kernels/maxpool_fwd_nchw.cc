// Max pooling forward, channels-first. PyTorch scans a window in row-major order with
// `val > max || isnan(val)`: the first maximum wins and the last NaN wins. Pass 1 applies that rule
// down each column of the (d, h) window, one input row at a time across the whole width, keeping
// (value, row) per column in scratch; window rows without NaN (checked once per output row) use a
// compare and a max instead of the full rule. Whole rows, because walking all the window's rows a
// few vectors at a time, with the state in registers, read the same bytes at a third of the speed
// on the bench machine (a Zen 5 VM, 1080p planes); the state's loads and stores stay in L1. Pairs
// of rows with the state in registers lost too (1.42 against 1.31 ms), and so did two input rows
// per pass over the state in scratch (2.89 against 2.15). Pass 2 merges the columns of each W
// window; since columns are not visited in row-major order it compares indices too, which picks
// exactly the element the row-major scan picks: the NaN with the largest index if there is one,
// else the largest value with the smallest index. For float32 columns without NaN, a window's
// largest value comes first and then the smallest index among the columns holding it; windows that
// may hold NaN merge four W windows at once, one per lane. 3d windows of several slices run pass 1
// slice by slice for a band of output rows.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "kernels.h"
#include "lane_mask.h"
#include "row_gather.h"
#include "rows.h"
#include "scratch.h"
#include "uniform_windows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// Calls f(c, u) for vectors of columns [c, c + L) covering [0, W), W >= L: four at a time (u
// names one of four independent accumulators), then one at a time, the last overlapping columns
// already done, so f must give the same result when applied twice.
template <ptrdiff_t L, class F>
inline void for_each_vector(ptrdiff_t W, F f) {
  ptrdiff_t c = 0;
  for (; c + 4 * L <= W; c += 4 * L) {
    f(c, 0);
    f(c + L, 1);
    f(c + 2 * L, 2);
    f(c + 3 * L, 3);
  }
  for (; c + L <= W; c += L) f(c, 0);
  if (c < W) f(W - L, 0);
}

// Pass 1 over the window's rows (offsets from the plane start, increasing), W >= L: leaves in
// col_val the maximum of each column and in col_row the offset of its row, by the row-major rule;
// unless fresh, it continues the state there (the window's earlier rows, from an earlier call).
// Without kExact it assumes no NaN, so a compare and a max do the work of the full rule (applying
// a row twice changes nothing, as for_each_vector needs); a running sum of everything read (NaN,
// or inf - inf, poisons it) checks the assumption, and false asks for the exact rerun.
template <class V, bool kExact>
bool column_maxima(const typename V::Elem* plane, const ptrdiff_t* offs, ptrdiff_t nrows,
                   ptrdiff_t W, bool fresh, typename V::Elem* col_val, typename V::Index* col_row) {
  using T = typename V::Elem;
  using Idx = typename V::Idx;
  constexpr ptrdiff_t L = V::kLanes;
  V acc[4] = {V::splat(0), V::splat(0), V::splat(0), V::splat(0)};
  if (fresh) {
    const T* q = plane + offs[0];
    const Idx r0 = V::idx_splat(offs[0]);
    for_each_vector<L>(W, [&](ptrdiff_t c, int u) {
      const V v = V::load(q + c);
      V::store(col_val + c, v);
      V::idx_store(col_row + c, r0);
      if (!kExact) acc[u] = V::add(acc[u], v);
    });
  }
  for (ptrdiff_t k = fresh ? 1 : 0; k < nrows; ++k) {
    const T* q = plane + offs[k];
    const Idx rk = V::idx_splat(offs[k]);
    for_each_vector<L>(W, [&](ptrdiff_t c, int u) {
      const V v = V::load(q + c), m = V::load(col_val + c);
      const Idx r = V::idx_load(col_row + c);
      if (kExact) {
        const typename V::Mask t = V::takes(v, m);
        V::store(col_val + c, V::select(t, v, m));
        V::idx_store(col_row + c, V::idx_select(t, rk, r));
      } else {
        V::store(col_val + c, V::keep_greater(m, v));
        V::idx_store(col_row + c, V::idx_later(V::gt(v, m), rk, r));
        acc[u] = V::add(acc[u], v);
      }
    });
  }
  if (kExact) return true;
  return !V::any_nan(V::add(V::add(acc[0], acc[1]), V::add(acc[2], acc[3])));
}

#if AP_HAVE_SIMD
// Pass 1 for float32 assuming no NaN, W >= 16, fewer than 256 window rows: column_maxima<F32x4,
// false> from fresh state, except that a column keeps the number of its maximum's row in the
// window, a byte, instead of the row's offset. One vector of row numbers then serves 16 columns:
// the four compares narrow to one byte mask, and one max takes the rows of all 16 where four took
// them before. max-image-1080p: 2.02 -> 1.79 ms (best of seven alternating runs).
bool column_maxima_rows8(const float* plane, const ptrdiff_t* offs, ptrdiff_t nrows, ptrdiff_t W,
                         float* col_val, uint8_t* col_row) {
  v128_t acc[4] = {wasm_f32x4_splat(0), wasm_f32x4_splat(0), wasm_f32x4_splat(0),
                   wasm_f32x4_splat(0)};
  // Columns [c, c + 16) of row k; the last step overlaps the one before, which changes nothing.
  auto step = [&](const float* q, ptrdiff_t c, ptrdiff_t k) {
    v128_t v[4];
    for (int u = 0; u < 4; ++u) {
      v[u] = wasm_v128_load(q + c + 4 * u);
      acc[u] = wasm_f32x4_add(acc[u], v[u]);
    }
    if (k == 0) {
      for (int u = 0; u < 4; ++u) wasm_v128_store(col_val + c + 4 * u, v[u]);
      wasm_v128_store(col_row + c, wasm_i8x16_splat(0));
      return;
    }
    v128_t gt[4];
    for (int u = 0; u < 4; ++u) {
      const v128_t m = wasm_v128_load(col_val + c + 4 * u);
      gt[u] = wasm_f32x4_gt(v[u], m);
      wasm_v128_store(col_val + c + 4 * u, wasm_f32x4_pmax(m, v[u]));
    }
    const v128_t taken = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(gt[0], gt[1]),
                                                 wasm_i16x8_narrow_i32x4(gt[2], gt[3]));
    const v128_t later = wasm_v128_and(taken, wasm_i8x16_splat(static_cast<int8_t>(k)));
    wasm_v128_store(col_row + c, wasm_u8x16_max(wasm_v128_load(col_row + c), later));
  };
  for (ptrdiff_t k = 0; k < nrows; ++k) {
    const float* q = plane + offs[k];
    ptrdiff_t c = 0;
    for (; c + 16 <= W; c += 16) step(q, c, k);
    if (c < W) step(q, W - 16, k);
  }
  const v128_t a = wasm_f32x4_add(wasm_f32x4_add(acc[0], acc[1]), wasm_f32x4_add(acc[2], acc[3]));
  return !wasm_v128_any_true(wasm_f32x4_ne(a, a));
}
#endif

// Row offsets to flat indices in place: col_row[c] += c (not idempotent, so no overlapping tail).
template <class V>
void add_columns(ptrdiff_t W, typename V::Index* col_idx) {
  constexpr ptrdiff_t L = V::kLanes;
  ptrdiff_t c = 0;
  for (; c + L <= W; c += L) {
    V::idx_store(col_idx + c, V::idx_add(V::idx_load(col_idx + c), V::idx_iota(c)));
  }
  for (; c < W; ++c) col_idx[c] += static_cast<typename V::Index>(c);
}

// Windows of one input row, planes narrower than a vector and the scalar twin: the row-major scan
// itself.
template <class T>
void scan_windows(const T* plane, const ptrdiff_t* offs, ptrdiff_t nrows, const AxisWindows& ww,
                  ptrdiff_t OW, T* out, int32_t* out_idx) {
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {
    const ptrdiff_t w0 = win_start(ww, ow), w1 = win_end(ww, ow);
    T best = plane[offs[0] + w0];
    ptrdiff_t best_i = offs[0] + w0;
    for (ptrdiff_t k = 0; k < nrows; ++k) {
      for (ptrdiff_t i = offs[k] + w0 + (k == 0); i < offs[k] + w1; ++i) {
        if (plane[i] > best || std::isnan(plane[i])) {
          best = plane[i];
          best_i = i;
        }
      }
    }
    out[ow] = best;
    out_idx[ow] = static_cast<int32_t>(best_i);
  }
}

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

// flat[c] = base + row8[c] * W + c for c < W, W >= 8: the flat indices of the columns' maxima
// from their byte row numbers, the window's rows being consecutive rows of one slice, W apart.
void rows8_flat(const uint8_t* row8, int32_t base, ptrdiff_t W, int32_t* flat) {
  const v128_t stride = wasm_i32x4_splat(static_cast<int32_t>(W));
  auto block = [&](ptrdiff_t c) {
    const v128_t r = wasm_u16x8_load8x8(row8 + c);
    const v128_t first = wasm_i32x4_splat(base + static_cast<int32_t>(c));
    const v128_t lo = wasm_i32x4_add(first, wasm_i32x4_make(0, 1, 2, 3));
    const v128_t hi = wasm_i32x4_add(first, wasm_i32x4_make(4, 5, 6, 7));
    wasm_v128_store(flat + c,
                    wasm_i32x4_add(lo, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(r), stride)));
    wasm_v128_store(flat + c + 4,
                    wasm_i32x4_add(hi, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(r), stride)));
  };
  ptrdiff_t c = 0;
  for (; c + 8 <= W; c += 8) block(c);
  if (c < W) block(W - 8);
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

template <class V>
void maxpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using Index = typename V::Index;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const ptrdiff_t W = static_cast<ptrdiff_t>(s.in[2]), OW = static_cast<ptrdiff_t>(s.out[2]);
  const ptrdiff_t H = static_cast<ptrdiff_t>(s.in[1]), OH = static_cast<ptrdiff_t>(s.out[1]);
  // The column passes are for SIMD: the scalar twin scans each window directly, which took
  // max-image-1080p from 33 to 15.5 ms in the scalar wasm build.
  const bool vectors = V::kLanes > 1 && W >= V::kLanes;

  // Padded past column W - 1: both merges read whole vectors from a window's start and mask off
  // the lanes past its end.
  const ptrdiff_t padded = vectors ? W + static_cast<ptrdiff_t>(max_win_len(ww)) + 4 : 0;
  // 3d windows of several slices: pass 1 for the output rows of one D window (a band of them,
  // sized in rows.h) goes slice by slice, each row's column state continuing from the
  // slice before, as in avgpool_fwd_nchw.cc and for the same reason (video-3d's shape: 2.7 -> 1.7
  // ms in wasm). The rows still come in row-major order, so the result is the row-by-row one.
  const ptrdiff_t band_rows =
      vectors && max_win_len(wd) > 1 ? static_cast<ptrdiff_t>(slice_band_rows(padded, OH)) : 1;
  // Float32 windows of one slice and fewer than 256 rows: pass 1 keeps byte row numbers
  // (column_maxima_rows8) until a window turns out to hold NaN.
  bool rows8 = false;
#if AP_HAVE_SIMD
  rows8 = std::is_same<V, F32x4>::value && W >= 16 && max_win_len(wd) == 1 && max_win_len(wh) < 256;
#endif
  Scratch<uint8_t> col_row8(rows8 ? padded : 0);
  bool f32 = false;
#if AP_HAVE_SIMD
  f32 = std::is_same<V, F32x4>::value && vectors;
#endif
  const bool single_columns = max_win_len(ww) == 1;
  MergePlan plan{
      single_columns, f32 && single_columns,
      f32 && single_columns ? plan_row_gather<V>(ww) : RowGather{},
      f32 && OW >= 4 && !single_columns ? static_cast<ptrdiff_t>(sliding_window_len(ww, 4)) : 0,
      Scratch<uint16_t>(f32 && max_win_len(ww) <= 12 ? OW : 0)};
  Scratch<T> col_val(band_rows * padded);
  Scratch<Index> col_idx(band_rows * padded);
  Scratch<uint8_t> no_nan(band_rows);
  Scratch<ptrdiff_t> offs(max_win_len(wd) * max_win_len(wh));
  for (int64_t item = begin; item < end;) {
    const int64_t img = item / s.out_rows(), r0 = item - img * s.out_rows(), od = r0 / OH;
    const ptrdiff_t oh0 = static_cast<ptrdiff_t>(r0 - od * OH);
    const ptrdiff_t oh1 =
        static_cast<ptrdiff_t>(std::min<int64_t>({oh0 + band_rows, OH, oh0 + (end - item)}));
    const ptrdiff_t d0 = static_cast<ptrdiff_t>(win_start(wd, od));
    const ptrdiff_t d1 = static_cast<ptrdiff_t>(win_end(wd, od));
    const T* plane = a.input + img * s.in_image();
    // offs = the rows of slices [from, to) in output row oh's H window; returns how many.
    auto window_rows = [&](ptrdiff_t from, ptrdiff_t to, ptrdiff_t oh) {
      ptrdiff_t n = 0;
      for (ptrdiff_t d = from; d < to; ++d) {
        for (ptrdiff_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) {
          offs[static_cast<size_t>(n++)] = (d * H + h) * W;
        }
      }
      return n;
    };

    // An output row with the previous row's (d, h) window (the input grows along H or D) is a copy
    // of that row, values and indices, which this call wrote (167 planes of 56x56 -> 112x112:
    // 10.3 -> 5.7 ms, fastest of three wasm runs).
    auto repeats = [&](ptrdiff_t oh) {
      return item + (oh - oh0) > begin && (od > 0 || oh > 0) && repeats_previous_row(s, od, oh);
    };

    // Pass 1, assuming no NaN. Windows of one row are scanned below instead, except with byte
    // rows: their pass 1 is a copy of the row, and the vector merge beats the scan (1080p with H
    // not pooled, W to 1280 and to 274 columns: 30.4 -> 13.9 and 22.3 -> 4.1 ms, wasm).
    if (vectors) {
      for (ptrdiff_t d = d0; d < d1; ++d) {
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
          if (((d1 - d0) * win_len(wh, oh) == 1 && !rows8) || repeats(oh)) continue;
          const ptrdiff_t n = window_rows(d, d + 1, oh), b = oh - oh0;
          bool clean = false;
#if AP_HAVE_SIMD
          if constexpr (std::is_same<V, F32x4>::value) {
            if (rows8) {
              clean =
                  column_maxima_rows8(plane, offs.data(), n, W, col_val.data(), col_row8.data());
            }
          }
#endif
          if (!rows8) {
            clean =
                column_maxima<V, false>(plane, offs.data(), n, W, d == d0,
                                        col_val.data() + b * padded, col_idx.data() + b * padded);
          }
          no_nan[static_cast<size_t>(b)] = (d == d0 || no_nan[static_cast<size_t>(b)]) && clean;
        }
      }
    }
    for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
      const int64_t row = item + (oh - oh0);
      T* out = a.output + row * OW;
      int32_t* out_idx = a.indices + row * OW;
      if (repeats(oh)) {
        copy<V>(out, out - OW, OW);
        copy_indices(out_idx, out_idx - OW, OW);
        continue;
      }
      // offs still holds the window's rows if pass 1 read them in one go (one slice, one row per
      // band): rebuilding them cost short rows (64 columns) 5-10%.
      const bool have_offs =
          vectors && band_rows == 1 && d1 - d0 == 1 && (win_len(wh, oh) > 1 || rows8);
      const ptrdiff_t nrows = have_offs ? win_len(wh, oh) : window_rows(d0, d1, oh);
      const ptrdiff_t b = oh - oh0;
      if ((nrows == 1 && !rows8) || !vectors) {
        scan_windows(plane, offs.data(), nrows, ww, OW, out, out_idx);
        continue;
      }
      // A window that may hold NaN runs pass 1 again by the full rule.
      T* val = col_val.data() + b * padded;
      Index* idx = col_idx.data() + b * padded;
      const bool clean = no_nan[static_cast<size_t>(b)];
#if AP_HAVE_SIMD
      if constexpr (std::is_same<V, F32x4>::value) {
        if (rows8 && clean) {
          const uint8_t* row8 = col_row8.data();
          const ptrdiff_t* rows = offs.data();
          auto flat = [&](ptrdiff_t c) { return static_cast<int32_t>(rows[row8[c]] + c); };
          if (single_columns) {
            rows8_flat(row8, static_cast<int32_t>(rows[0]), W, idx);
            gather_row<V>(val, ww, plan.gather, nullptr, out);
            gather_row<V>(idx, ww, plan.gather, nullptr, out_idx);
          } else if (plan.sliding > 0) {
            rows8_flat(row8, static_cast<int32_t>(rows[0]), W, idx);
            merge_sliding(val, idx, plan.sliding, OW, out, out_idx);
          } else {
            merge_without_nan(ww, OW, val, flat, plane, out, out_idx, plan.cols.data());
          }
          continue;
        }
      }
#endif
      if (!clean) column_maxima<V, true>(plane, offs.data(), nrows, W, true, val, idx);
      merge_row<V>(ww, W, plan, clean, val, idx, plane, out, out_idx);
    }
    item += oh1 - oh0;
  }
}

AP_INSTANTIATE(maxpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
