// One row of work in channels-last layout (SIMD along C), shared by the NHWC kernels and by the
// plane groups (nchw_plane_groups.h), which interleave L channels-first planes into an image
// of exactly L channels and run these.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "kernels.h"
#include "row_sums.h"
#include "rows.h"
#include "scratch.h"
#include "window_scales.h"

namespace adaptive_pool {
namespace kernels {

// acc[0..4) = the four vectors at p plus those at p + step, ..., n positions in all (n >= 1), added
// in position order: one position's block of 4 * L channels.
template <class V>
void sum_positions4(const typename V::Elem* p, ptrdiff_t step, ptrdiff_t n, V* acc) {
  constexpr ptrdiff_t L = V::kLanes;
  V a0 = V::load(p), a1 = V::load(p + L), a2 = V::load(p + 2 * L), a3 = V::load(p + 3 * L);
  for (ptrdiff_t i = 1; i < n; ++i) {
    p += step;
    a0 = V::add(a0, V::load(p));
    a1 = V::add(a1, V::load(p + L));
    a2 = V::add(a2, V::load(p + 2 * L));
    a3 = V::add(a3, V::load(p + 3 * L));
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

// out[c] = scale * sum over positions p < np of in[p * C + c], for c < C.
template <class V>
void sum_positions(const typename V::Elem* in, int64_t np, int64_t C, typename V::Elem scale,
                   typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const V vscale = V::splat(scale);
  int64_t c = 0;
  for (; c + 4 * L <= C; c += 4 * L) {
    V acc[4];
    sum_positions4<V>(in + c, static_cast<ptrdiff_t>(C), static_cast<ptrdiff_t>(np), acc);
    for (int k = 0; k < 4; ++k) V::store(out + c + k * L, V::mul(acc[k], vscale));
  }
  for (; c + L <= C; c += L) {
    V a = V::load(in + c);
    for (int64_t i = 1; i < np; ++i) a = V::add(a, V::load(in + i * C + c));
    V::store(out + c, V::mul(a, vscale));
  }
  for (; c < C; ++c) {
    T a = in[c];
    for (int64_t i = 1; i < np; ++i) a += in[i * C + c];
    out[c] = a * scale;
  }
}

// Scratch of one thread for avg_fwd_nhwc_rows: window sums of up to three rows and the window rows
// of three output rows.
template <typename T>
struct AvgRowScratch {
  int64_t max_rows;  // rows of one output row: the next list starts there
  Scratch<T> acc;
  Scratch<const T*> rows;
  WindowScales<T> scales;  // each W window's factor for a kd * kh: no division per window
  explicit AvgRowScratch(const Shape& s)
      : max_rows(max_win_len(s.windows->d) * max_win_len(s.windows->h)),
        acc(3 * s.in_row_len()),
        rows(3 * max_rows),
        scales(s.windows->w) {}
};

// out[c] = scale * sum of rows[r][w * C + c] over r < nrows, w in [w0, w1), for c < C: one window
// summed straight from the input rows. Overlapping windows read a shared column twice here; sharing
// it instead did not pay (odd-13x17-nhwc, alternating wasm builds, best of 5-7 runs, 0.059-0.063 ms
// for this): a column's sum over the rows kept for the next window, 0.062 through a scratch row and
// 0.077 with the channel blocks outermost; walking each output column down the output rows with the
// shared row's sum carried, 0.097; adding each position into the output row, PyTorch's order,
// 0.092. Eight vectors per position (0.061) or two accumulator sets (0.069) did not help either,
// nor W first (each input row's W window sums kept for the output rows sharing the row, then
// summed down the rows: 0.064 against 0.058). The vector sums start from the first position
// rather than from zero, one add fewer per block: 0.058 -> 0.056 (best of 9 runs).
template <class V>
void sum_window_direct(const typename V::Elem* const* rows, int64_t nrows, int64_t w0, int64_t w1,
                       int64_t C, typename V::Elem scale, typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const V vscale = V::splat(scale);
  int64_t c = 0;
  // Small windows over many channels: the positions in one list, so each channel block runs one
  // loop of a fixed trip count instead of nested loops of three or four steps. With one channel
  // block (the 16-plane groups of nchw_plane_groups.h) building the list costs more than it saves.
  constexpr int64_t kListed = 16;
  const T* pos[kListed];
  const int64_t np = nrows * (w1 - w0);
  if (np <= kListed && C >= 8 * L) {
    int64_t k = 0;
    for (int64_t r = 0; r < nrows; ++r) {
      for (int64_t w = w0; w < w1; ++w) pos[k++] = rows[r] + w * C;
    }
    for (; c + 4 * L <= C; c += 4 * L) {
      const T* p0 = pos[0] + c;
      V a0 = V::load(p0), a1 = V::load(p0 + L), a2 = V::load(p0 + 2 * L), a3 = V::load(p0 + 3 * L);
      for (const T* const* q = pos + 1; q < pos + np; ++q) {
        const T* p = *q + c;
        a0 = V::add(a0, V::load(p));
        a1 = V::add(a1, V::load(p + L));
        a2 = V::add(a2, V::load(p + 2 * L));
        a3 = V::add(a3, V::load(p + 3 * L));
      }
      V::store(out + c, V::mul(a0, vscale));
      V::store(out + c + L, V::mul(a1, vscale));
      V::store(out + c + 2 * L, V::mul(a2, vscale));
      V::store(out + c + 3 * L, V::mul(a3, vscale));
    }
  }
  for (; c + 4 * L <= C; c += 4 * L) {
    const T* p0 = rows[0] + w0 * C + c;
    V a0 = V::load(p0), a1 = V::load(p0 + L), a2 = V::load(p0 + 2 * L), a3 = V::load(p0 + 3 * L);
    for (int64_t r = 0; r < nrows; ++r) {
      const T* const end = rows[r] + w1 * C + c;
      for (const T* p = rows[r] + (w0 + (r == 0)) * C + c; p < end; p += C) {
        a0 = V::add(a0, V::load(p));
        a1 = V::add(a1, V::load(p + L));
        a2 = V::add(a2, V::load(p + 2 * L));
        a3 = V::add(a3, V::load(p + 3 * L));
      }
    }
    V::store(out + c, V::mul(a0, vscale));
    V::store(out + c + L, V::mul(a1, vscale));
    V::store(out + c + 2 * L, V::mul(a2, vscale));
    V::store(out + c + 3 * L, V::mul(a3, vscale));
  }
  for (; c < C; ++c) {
    T a = 0;
    for (int64_t r = 0; r < nrows; ++r) {
      for (int64_t w = w0; w < w1; ++w) a += rows[r][w * C + c];
    }
    out[c] = a * scale;
  }
}

// Fewer channels than lanes (an RGB image): SIMD along C would leave every vector empty. Instead
// one load per position takes its C channels plus the start of the next position in the spare
// lanes, which are summed and dropped; two chains (even, odd positions) halve the add latency.
// Handles the W windows of one summed row from the first on, while a position's load stays inside
// the row; returns the first window left to the caller.
template <class V>
int64_t sum_windows_narrow(const Shape& s, const typename V::Elem* row,
                           const typename V::Elem* scale, typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const AxisWindows& ww = s.windows->w;
  const int64_t C = s.channels, row_len = s.in_row_len(), out_len = s.out_row_len();
  if (C < 2 || C >= L || row_len < L) return 0;
  const int64_t last_loadable = (row_len - L) / C;  // last position whose load ends in the row
  // Pointer-sized steps and counts: comparing pointer differences with an int64_t C cost a
  // shift, a sign extension and a 64-bit compare per pair of positions. With them, and the factors
  // from a table instead of a division per window, image-1080p-nhwc's pass 2 and setup took 0.210
  // ms against 0.244 (wasm, best of 7 alternating runs with pass 1 left out).
  const ptrdiff_t c = static_cast<ptrdiff_t>(C);
  int64_t ow = 0;
  for (; ow < s.out[2] && win_end(ww, ow) - 1 <= last_loadable; ++ow) {
    const ptrdiff_t n = static_cast<ptrdiff_t>(win_len(ww, ow));  // positions
    const T* p = row + static_cast<ptrdiff_t>(win_start(ww, ow)) * c;
    V a = V::load(p), b = V::splat(0);
    for (ptrdiff_t k = (n - 1) / 2; k > 0; --k) {
      a = V::add(a, V::load(p + c));
      b = V::add(b, V::load(p + 2 * c));
      p += 2 * c;
    }
    if ((n - 1) % 2 != 0) a = V::add(a, V::load(p + c));
    const V avg = V::mul(V::add(a, b), V::splat(scale[ow]));
    T* o = out + ow * C;
    if (ow * C + L <= out_len) {
      V::store(o, avg);  // spare lanes land on the next window's outputs, written after this
    } else {
      T lanes[L];
      V::store(lanes, avg);
      std::copy(lanes, lanes + C, o);
    }
  }
  return ow;
}

// Pass 2 of a channels-last output row: the W windows of its summed row.
template <class V>
void avg_fwd_nhwc_windows(const Shape& s, const typename V::Elem* row,
                          const typename V::Elem* scale, typename V::Elem* out) {
  const AxisWindows& ww = s.windows->w;
  const int64_t C = s.channels;
  for (int64_t o = sum_windows_narrow<V>(s, row, scale, out); o < s.out[2]; ++o) {
    sum_positions<V>(row + win_start(ww, o) * C, win_len(ww, o), C, scale[o], out + o * C);
  }
}

// Output row (od, oh) of one image, and the next one or two too (at most `group_limit` rows in
// all) while each one's window starts on the previous one's last row (pass 1 of them at once:
// row_sums.h, row_group_pass1); returns how many output rows it wrote. Separable when that reads
// less: pass 1 sums the window's input rows along the contiguous W*C row, pass 2 sums each W window
// along C. With short windows and many channels, summing each window straight from the input rows
// is cheaper (no row written).
template <class V>
int avg_fwd_nhwc_rows(const Shape& s, const typename V::Elem* image, int64_t od, int64_t oh,
                      int64_t group_limit, typename V::Elem* out,
                      AvgRowScratch<typename V::Elem>* scratch) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t C = s.channels, row_len = s.in_row_len();
  const T** rows = scratch->rows.data();
  const int64_t nrows = window_row_ptrs(s, image, od, oh, rows);
  const int64_t kdh = win_len(wd, od) * win_len(wh, oh);
  int64_t window_positions = 0;
  for (int64_t ow = 0; ow < s.out[2]; ++ow) window_positions += win_len(ww, ow);
  auto direct = [&](int64_t n) {
    return C >= 4 * L && n > 1 && n * window_positions < (n + 1) * s.in[2] + window_positions;
  };
  const T* scale = scratch->scales.at(kdh);
  if (direct(nrows)) {
    for (int64_t ow = 0; ow < s.out[2]; ++ow) {
      sum_window_direct<V>(rows, nrows, win_start(ww, ow), win_end(ww, ow), C, scale[ow],
                           out + ow * C);
    }
    return 1;
  }
  if (nrows == 1) {
    avg_fwd_nhwc_windows<V>(s, rows[0], scale, out);
    return 1;
  }
  T* const acc = scratch->acc.data();
  // Not up to a row that alone would take the direct sums: its bits must not depend on whether
  // the rows before it are in the same thread's range.
  const RowGroup g =
      row_group_pass1<V>(s, image, od * s.out[1] + oh, od, oh, group_limit, rows, scratch->max_rows,
                         nrows, row_len, acc, [&](int64_t n) { return !direct(n); });
  if (g.size > 1) {
    for (int k = 0; k < g.size; ++k) {
      avg_fwd_nhwc_windows<V>(s, acc + k * row_len,
                              scratch->scales.at(win_len(wd, g.od[k]) * win_len(wh, g.oh[k])),
                              out + k * s.out_row_len());
    }
    return g.size;
  }
  sum_rows<V>(rows, nrows, row_len, false, acc);
  avg_fwd_nhwc_windows<V>(s, acc, scale, out);
  return 1;
}

// Max of the window rows[0..nrows) x [w0, w1) of a channels-last image with C channels per
// position, channels [c, c + K lanes), scanned in row-major order with PyTorch's rule
// `val > max || isnan(val)`. rows[] hold the position of each input row's first element, so the
// position (the flat index PyTorch returns) is rows[r] + w. K independent vectors keep the
// compare/select chains overlapping; pointer-sized positions and a stepped pointer avoid the
// int64_t index math that costs a wrap per access in wasm32 (12% on 13x17 -> 7x7).
// kNoNan: the caller knows the window holds no NaN, so the rule is a compare and a max (gt + pmax,
// and the index kept as the larger of itself and the masked position), the same results with 5
// instructions per vector instead of 10.
template <class V, int K, bool kNoNan = false>
void max_window(const typename V::Elem* image, ptrdiff_t C, ptrdiff_t c, const ptrdiff_t* rows,
                ptrdiff_t nrows, ptrdiff_t w0, ptrdiff_t w1, typename V::Elem* out,
                int32_t* out_idx) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  const T* p = image + (rows[0] + w0) * C + c;
  V m[K];
  typename V::Idx ix[K];
  for (int k = 0; k < K; ++k) {
    m[k] = V::load(p + k * L);
    ix[k] = V::idx_splat(rows[0] + w0);
  }
  ptrdiff_t skip = 1;  // the first position is the start value
  for (ptrdiff_t r = 0; r < nrows; ++r, skip = 0) {
    const ptrdiff_t end = rows[r] + w1;
    p = image + (rows[r] + w0 + skip) * C + c;
    for (ptrdiff_t pos = rows[r] + w0 + skip; pos < end; ++pos, p += C) {
      const typename V::Idx vpos = V::idx_splat(pos);
      for (int k = 0; k < K; ++k) {
        const V v = V::load(p + k * L);
        if (kNoNan) {
          ix[k] = V::idx_later(V::gt(v, m[k]), vpos, ix[k]);
          m[k] = V::keep_greater(m[k], v);
        } else {
          const typename V::Mask take = V::takes(v, m[k]);
          m[k] = V::select(take, v, m[k]);
          ix[k] = V::idx_select(take, vpos, ix[k]);
        }
      }
    }
  }
  for (int k = 0; k < K; ++k) {
    V::store(out + c + k * L, m[k]);
    V::idx_store_i32(out_idx + c + k * L, ix[k]);
  }
}

// Positions of the first element of each input row of the (od, oh) window, in row-major order;
// returns how many. rows must hold max_win_len(d) * max_win_len(h) entries.
inline ptrdiff_t window_rows(const Shape& s, int64_t od, int64_t oh, ptrdiff_t* rows) {
  ptrdiff_t n = 0;
  for_each_window_row(s, od, oh,
                      [&](int64_t r) { rows[n++] = static_cast<ptrdiff_t>(r * s.in[2]); });
  return n;
}

// Output row (od, oh) of one image: values and plane indices, SIMD along C, scalar tail. rows:
// scratch of max_win_len(d) * max_win_len(h) entries.
template <class V>
void max_fwd_nhwc_row(const Shape& s, const typename V::Elem* image, int64_t od, int64_t oh,
                      ptrdiff_t* rows, typename V::Elem* out, int32_t* out_idx) {
  using S = Scalar<typename V::Elem>;
  constexpr ptrdiff_t L = V::kLanes;
  const AxisWindows& ww = s.windows->w;
  const ptrdiff_t C = static_cast<ptrdiff_t>(s.channels);
  const ptrdiff_t nrows = window_rows(s, od, oh, rows);
  for (int64_t ow = 0; ow < s.out[2]; ++ow) {
    const ptrdiff_t w0 = static_cast<ptrdiff_t>(win_start(ww, ow));
    const ptrdiff_t w1 = static_cast<ptrdiff_t>(win_end(ww, ow));
    typename V::Elem* o = out + ow * C;
    int32_t* oi = out_idx + ow * C;
    ptrdiff_t c = 0;
    for (; c + 4 * L <= C; c += 4 * L) max_window<V, 4>(image, C, c, rows, nrows, w0, w1, o, oi);
    for (; c + L <= C; c += L) max_window<V, 1>(image, C, c, rows, nrows, w0, w1, o, oi);
    for (; c < C; ++c) max_window<S, 1>(image, C, c, rows, nrows, w0, w1, o, oi);
  }
}

}  // namespace kernels
}  // namespace adaptive_pool
