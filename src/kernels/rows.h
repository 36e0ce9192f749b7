// Helpers shared by the kernels: decoding work items and the SIMD loops every family uses.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "kernels.h"
#include "scratch.h"
#include "simd.h"

namespace adaptive_pool {
namespace kernels {

// Explicit instantiations of one kernel for both dtypes and both ISAs.
#if AP_HAVE_SIMD
#define AP_INSTANTIATE(kernel, Args)                                           \
  template void kernel<Scalar<float>>(const Args<float>&, int64_t, int64_t);   \
  template void kernel<Scalar<double>>(const Args<double>&, int64_t, int64_t); \
  template void kernel<F32x4>(const Args<float>&, int64_t, int64_t);           \
  template void kernel<F64x2>(const Args<double>&, int64_t, int64_t);
#else
#define AP_INSTANTIATE(kernel, Args)                                         \
  template void kernel<Scalar<float>>(const Args<float>&, int64_t, int64_t); \
  template void kernel<Scalar<double>>(const Args<double>&, int64_t, int64_t);
#endif

inline int64_t win_len(const AxisWindows& w, int64_t o) {
  return w.end[static_cast<size_t>(o)] - w.start[static_cast<size_t>(o)];
}
inline int64_t win_start(const AxisWindows& w, int64_t o) {
  return w.start[static_cast<size_t>(o)];
}
inline int64_t win_end(const AxisWindows& w, int64_t o) { return w.end[static_cast<size_t>(o)]; }

inline int64_t max_win_len(const AxisWindows& w) {
  int64_t k = 0;
  for (int64_t o = 0; o < w.out; ++o) k = std::max(k, win_len(w, o));
  return k;
}

// Calls f(d * H + h) for every input row (d, h) of the (od, oh) window, in row-major order.
template <class F>
inline void for_each_window_row(const Shape& s, int64_t od, int64_t oh, F f) {
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h;
  for (int64_t d = win_start(wd, od); d < win_end(wd, od); ++d) {
    for (int64_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) f(d * s.in[1] + h);
  }
}

// The input rows of the (od, oh) window of one image, in row-major order; returns how many. rows
// must hold max_win_len(d) * max_win_len(h) entries.
template <typename T>
int64_t window_row_ptrs(const Shape& s, const T* image, int64_t od, int64_t oh, const T** rows) {
  int64_t n = 0;
  for_each_window_row(s, od, oh, [&](int64_t r) { rows[n++] = image + r * s.in_row_len(); });
  return n;
}

// Output row r + 1 of an image (r counts its (d, h) output rows), for pass 1 of consecutive output
// rows at once (row_group_pass1): its window's input rows are written to next, and shares_row says
// whether they start on the last of rows[0..nrows), output row r's.
struct NextRow {
  int64_t od, oh, nrows;
  bool shares_row;
};

template <typename T>
NextRow next_row_window(const Shape& s, const T* image, int64_t r, const T* const* rows,
                        int64_t nrows, const T** next) {
  NextRow n;
  n.od = (r + 1) / s.out[1];
  n.oh = (r + 1) % s.out[1];
  n.nrows = window_row_ptrs(s, image, n.od, n.oh, next);
  n.shares_row = next[0] == rows[nrows - 1];
  return n;
}

// 3d kernels take the output rows of one D window through its slices together, a band at a time
// (avgpool_fwd_nchw.cc, maxpool_fwd_nchw.cc): as many rows as 4096 elements of per-row state hold
// (16 KB of float32 row sums: every output row of video-3d; two of a 1920-wide row), at least one.
inline int64_t slice_band_rows(int64_t state_per_row, int64_t out_rows) {
  return std::max<int64_t>(1, std::min<int64_t>(out_rows, 4096 / state_per_row));
}

// Outputs whose window holds input position i: [lo, hi). Starts and ends never decrease with o.
inline void covering(const AxisWindows& w, int64_t i, int64_t* lo, int64_t* hi) {
  *lo = std::upper_bound(w.end.begin(), w.end.end(), i) - w.end.begin();
  *hi = std::upper_bound(w.start.begin(), w.start.end(), i) - w.start.begin();
}

// Whether output row (od, oh) of an image, not its first, has the (d, h) window of the row before,
// as rows of an input that grows along H or D do: its outputs are then that row's. Takes (od, oh)
// rather than a flat row: callers check it per output row, and the divisions that split a flat
// row cost short rows (56 -> 55 max) several percent.
inline bool repeats_previous_row(const Shape& s, int64_t od, int64_t oh) {
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h;
  const int64_t pd = oh > 0 ? od : od - 1, ph = oh > 0 ? oh - 1 : s.out[1] - 1;
  return win_start(wd, od) == win_start(wd, pd) && win_end(wd, od) == win_end(wd, pd) &&
         win_start(wh, oh) == win_start(wh, ph) && win_end(wh, oh) == win_end(wh, ph);
}

// covering() for every input position of an axis, as a table of one work range: [lo[i], hi[i]),
// pointer-sized (int64_t indices cost a wrap per access in wasm32).
struct Covering {
  Scratch<ptrdiff_t> table;
  ptrdiff_t *lo, *hi;
  explicit Covering(const AxisWindows& a) : table(2 * a.in), lo(table.data()), hi(lo + a.in) {
    for (int64_t i = 0, l, h; i < a.in; ++i) covering(a, i, &l, &h), lo[i] = l, hi[i] = h;
  }
  // The most outputs any position is covered by (at least 1).
  ptrdiff_t most() const {
    ptrdiff_t m = 1;
    for (size_t i = 0; i < table.size() / 2; ++i) m = std::max(m, hi[i] - lo[i]);
    return m;
  }
};

// dst[j..j+V*L) for V vectors of columns: each column sums the rows in the given order (after
// what dst holds, when add); the V columns are independent add chains, so more of them hide more
// add latency.
template <class V, int kVectors>
void sum_rows_block(const typename V::Elem* const* rows, int64_t nrows, int64_t j, bool add,
                    typename V::Elem* dst) {
  constexpr int64_t L = V::kLanes;
  V a[kVectors];
  for (int v = 0; v < kVectors; ++v) a[v] = V::load(rows[0] + j + v * L);
  if (add) {
    for (int v = 0; v < kVectors; ++v) a[v] = V::add(V::load(dst + j + v * L), a[v]);
  }
  for (int64_t k = 1; k < nrows; ++k) {
    const typename V::Elem* r = rows[k] + j;
    for (int v = 0; v < kVectors; ++v) a[v] = V::add(a[v], V::load(r + v * L));
  }
  for (int v = 0; v < kVectors; ++v) V::store(dst + j + v * L, a[v]);
}

// dst[j] = (kAdd ? dst[j] : 0) + rows[0][j] + ... + rows[R-1][j] for j < n, in that order. R is a
// template argument so that each row has a load instruction of its own that walks it from start
// to end, four vectors (a 64-byte line of float32) a step: two vectors a step were as slow as the
// blocks below on rows of 512 floats (3.0 against 2.4 ms for 16 x 1000 x 512 -> 333 x 100).
template <class V, int R, bool kAdd>
void sum_rows_across(const typename V::Elem* const* rows, int64_t n, typename V::Elem* dst) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const T* r[R];
  for (int k = 0; k < R; ++k) r[k] = rows[k];
  int64_t j = 0;
  for (; j + 4 * L <= n; j += 4 * L) {
    V a[4];
    for (int v = 0; v < 4; ++v) {
      a[v] = V::load(r[0] + j + v * L);
      if (kAdd) a[v] = V::add(V::load(dst + j + v * L), a[v]);
    }
    for (int k = 1; k < R; ++k) {
      for (int v = 0; v < 4; ++v) a[v] = V::add(a[v], V::load(r[k] + j + v * L));
    }
    for (int v = 0; v < 4; ++v) V::store(dst + j + v * L, a[v]);
  }
  for (; j + L <= n; j += L) {
    V a = V::load(r[0] + j);
    if (kAdd) a = V::add(V::load(dst + j), a);
    for (int k = 1; k < R; ++k) a = V::add(a, V::load(r[k] + j));
    V::store(dst + j, a);
  }
  for (; j < n; ++j) {
    T a = kAdd ? dst[j] + r[0][j] : r[0][j];
    for (int k = 1; k < R; ++k) a += r[k][j];
    dst[j] = a;
  }
}

// f(std::integral_constant<int, count>) for count 1..7, and for 8 and over as 8: the row loops
// below take their row or vector count as a template argument, so that it unrolls. Always
// inlined: left to LLVM, video-3d's pass 1 ran 10% slower (0.81 against 0.74 ms, wasm).
template <class F>
__attribute__((always_inline)) inline void with_count_to_8(int64_t count, F&& f) {
  switch (count) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    case 5:
      return f(std::integral_constant<int, 5>{});
    case 6:
      return f(std::integral_constant<int, 6>{});
    case 7:
      return f(std::integral_constant<int, 7>{});
    default:
      return f(std::integral_constant<int, 8>{});
  }
}

// Calls fn(args...) as a wasm function of its own. Emscripten's optimizer (binaryen's wasm-opt, -O2
// and up) inlines every function that has a single caller, whatever LLVM's noinline says, so the
// template instances a kernel picks from at run time, each called once, end up in one large
// function, and V8's register allocator there keeps the hot loop's pointers, and even the memory
// base, on the stack. A call through a pointer the optimizers cannot see through keeps the
// instance apart (vgg-divisible's uniform kernel alone: 0.072 -> 0.060 ms, wasm, best of 7).
template <class... P, class... A>
void call_apart(void (*fn)(P...), A&&... args) {
  void (*volatile apart)(P...) = fn;
  apart(std::forward<A>(args)...);
}

template <class V, bool kAdd>
void sum_rows_across(const typename V::Elem* const* rows, int64_t nrows, int64_t n,
                     typename V::Elem* dst) {
  with_count_to_8(nrows,
                  [&](auto R) { sum_rows_across<V, decltype(R)::value, kAdd>(rows, n, dst); });
}

// dst[j] = rows[0][j] + rows[1][j] + ... for j < n, rows added in the given (row-major) order;
// with add, dst[j] + rows[0][j] + ..., continuing a sum over earlier rows in the same order.
// Rows of 16 vectors or more go across the whole width, eight rows at a time (more rows add to
// dst): every load instruction then walks one row, which the prefetchers follow. Walking all the
// rows 8 vectors at a time instead, as short rows do, makes each load jump from row to row; in
// wasm on this machine that read image-1080p's 5-6 rows per output row about 1.35x slower
// (1.66 -> 1.23 ms, image-1080p-nhwc 1.47 -> 1.03), though it keeps the sums in registers.
// Short rows (video: 14 vectors) go in as few blocks of at most eight vectors as hold them, of
// equal size (14 = 7 + 7 rather than 8 + 4 + 2): each block is one pass over the rows, whose loop
// costs the same at any width (video-3d 0.81 -> 0.77 ms, best of 9 alternating wasm runs), and
// even a row narrower than eight vectors runs several add chains side by side.
template <class V>
void sum_rows(const typename V::Elem* const* rows, int64_t nrows, int64_t n, bool add,
              typename V::Elem* dst) {
  constexpr int64_t L = V::kLanes;
  if (n >= 16 * L) {
    if (add) {
      sum_rows_across<V, true>(rows, std::min<int64_t>(nrows, 8), n, dst);
    } else {
      sum_rows_across<V, false>(rows, std::min<int64_t>(nrows, 8), n, dst);
    }
    for (int64_t k = 8; k < nrows; k += 8) {
      sum_rows_across<V, true>(rows + k, std::min<int64_t>(nrows - k, 8), n, dst);
    }
    return;
  }
  const int64_t vectors = n / L, blocks = (vectors + 7) / 8;
  int64_t j = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t width = (vectors - j / L) / (blocks - b);  // the rest split evenly
    with_count_to_8(
        width, [&](auto K) { sum_rows_block<V, decltype(K)::value>(rows, nrows, j, add, dst); });
    j += width * L;
  }
  for (; j < n; ++j) {
    typename V::Elem a = add ? dst[j] + rows[0][j] : rows[0][j];
    for (int64_t k = 1; k < nrows; ++k) a += rows[k][j];
    dst[j] = a;
  }
}

// One window's share of a step of sum_row_group: d[j..j + 2L) = the sum of r[0..R)[j..j + 2L), in
// row order.
template <class V, int R>
__attribute__((always_inline)) inline void sum_window_step(const typename V::Elem* const* r,
                                                           int64_t j, typename V::Elem* d) {
  constexpr int64_t L = V::kLanes;
  V s0 = V::load(r[0] + j), s1 = V::load(r[0] + j + L);
  for (int k = 1; k < R; ++k) {
    s0 = V::add(s0, V::load(r[k] + j));
    s1 = V::add(s1, V::load(r[k] + j + L));
  }
  V::store(d + j, s0);
  V::store(d + j + L, s1);
}

// The same for element j alone (the row's tail).
template <int R, typename T>
__attribute__((always_inline)) inline void sum_window_at(const T* const* r, int64_t j, T* d) {
  T s = r[0][j];
  for (int k = 1; k < R; ++k) s += r[k][j];
  d[j] = s;
}

// Copies a window's R row pointers into a local array (kept in registers across the row loop).
template <int R, typename T>
__attribute__((always_inline)) inline void copy_row_ptrs(const T* const* from, const T** to) {
  for (int k = 0; k < R; ++k) to[k] = from[k];
}

template <class V, int... R, size_t... G>
void sum_row_group(std::index_sequence<G...>, const typename V::Elem* const* const* rows, int64_t n,
                   typename V::Elem* const* dst) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const T* r[sizeof...(R)][std::max({R...})];
  T* const d[sizeof...(R)] = {dst[G]...};
  (copy_row_ptrs<R>(rows[G], r[G]), ...);
  int64_t j = 0;
  for (; j + 2 * L <= n; j += 2 * L) (sum_window_step<V, R>(r[G], j, d[G]), ...);
  for (; j < n; ++j) (sum_window_at<R>(r[G], j, d[G]), ...);
}

// Pass 1 of sizeof...(R) consecutive output rows at once: dst[g][j] = rows[g][0][j] + ... +
// rows[g][R_g - 1][j], each window in row order, so the sums are sum_rows's bits. Adaptive
// windows along H share a row whenever H / OH is no integer (image-1080p: 5 or 6 rows a window,
// one shared), and a pass reads the shared row twice within the same step, the second time from
// L1. On this machine summing rows read side by side costs less the more rows one pass reads, up
// to about 13 (a wasm loop summing groups of R rows of the 1080p image: 1.3-1.5x its roofline at
// R = 5, 1.1x at 13, 1.2x at 16): two output rows a pass made image-1080p's pass 1 about 20%
// faster than one at a time, and three made the call 4-9% faster again (alternating wasm builds).
// Two vectors a row per step: four were slower here.
template <class V, int... R>
void sum_row_group(const typename V::Elem* const* const* rows, int64_t n,
                   typename V::Elem* const* dst) {
  sum_row_group<V, R...>(std::make_index_sequence<sizeof...(R)>{}, rows, n, dst);
}

// f(std::integral_constant<int, N>{}) when count is N, f(... N + 1 ...) when it is N + 1 (and at
// most 8); what f returned, or false when it was not called.
template <int N, class F>
bool with_count_n_or_next(int64_t count, F&& f) {
  if (count == N) return f(std::integral_constant<int, N>{});
  if constexpr (N < 8) {
    if (count == N + 1) return f(std::integral_constant<int, N + 1>{});
  }
  return false;
}

// f(std::integral_constant<int, N>{}) for N = n in [kLo, 8]; what f returned, or false.
template <int kLo, class F>
bool with_count_from(int64_t n, F&& f) {
  if (n == kLo) return f(std::integral_constant<int, kLo>{});
  if constexpr (kLo < 8) return with_count_from<kLo + 1>(n, f);
  return false;
}

// sum_row_group for g = 2 or 3 windows given their row counts; false (nothing written) for counts
// it leaves out, or for the scalar twin, which has no use for the extra code. The kernels need
// the counts at compile time (the row pointers then stay in registers: with run-time counts,
// image-1080p's pass 1 alone took about 1.5x as long), so only counts adaptive windows of one
// axis can have are taken (two lengths one apart, at most 8 rows): pairs of windows of 2 to 8
// rows (19 instances), and in float32 triples of 4 to 8 (29 instances: 39 KB of the simd build's
// 660; image data is float32, and triples in float64 too would take another 30 KB).
template <class V>
bool sum_row_group(const typename V::Elem* const* const* rows, const int64_t* counts, int g,
                   int64_t n, typename V::Elem* const* dst) {
  if constexpr (V::kLanes == 1) {
    return false;
  } else {
    const int64_t lo = *std::min_element(counts, counts + g);
    if (*std::max_element(counts, counts + g) - lo > 1) return false;
    if (g == 2) {
      return with_count_from<2>(lo, [&](auto N) {
        constexpr int kN = decltype(N)::value;
        return with_count_n_or_next<kN>(counts[0], [&](auto A) {
          return with_count_n_or_next<kN>(counts[1], [&](auto B) {
            sum_row_group<V, decltype(A)::value, decltype(B)::value>(rows, n, dst);
            return true;
          });
        });
      });
    }
    if constexpr (sizeof(typename V::Elem) == 4) {
      if (g == 3) {
        return with_count_from<4>(lo, [&](auto N) {
          constexpr int kN = decltype(N)::value;
          return with_count_n_or_next<kN>(counts[0], [&](auto A) {
            return with_count_n_or_next<kN>(counts[1], [&](auto B) {
              return with_count_n_or_next<kN>(counts[2], [&](auto C) {
                sum_row_group<V, decltype(A)::value, decltype(B)::value, decltype(C)::value>(
                    rows, n, dst);
                return true;
              });
            });
          });
        });
      }
    }
    return false;
  }
}

// Output rows r, r + 1, ... of an image (r counts its (d, h) output rows) whose pass 1 ran at once
// (row_group_pass1).
struct RowGroup {
  int size = 1;
  int64_t od[3], oh[3];
};

// Pass 1 of output row r, (od, oh), of an image together with the next one or two, at most
// `limit` rows in all, for as long as each one's window starts on the previous one's last row and
// joins(its row count) agrees: row k's sums of n elements go to acc + k * n. rows[0..nrows) are
// row r's window rows, and rows + k * max_rows receives row k's. Returns the rows summed, in
// `size`; a size of 1 means none were, and the caller sums row r alone.
template <class V, class Joins>
RowGroup row_group_pass1(const Shape& s, const typename V::Elem* image, int64_t r, int64_t od,
                         int64_t oh, int64_t limit, const typename V::Elem** rows, int64_t max_rows,
                         int64_t nrows, int64_t n, typename V::Elem* acc, Joins joins) {
  using T = typename V::Elem;
  RowGroup g;
  const T** lists[3] = {rows, rows + max_rows, rows + 2 * max_rows};
  int64_t counts[3] = {nrows, 0, 0};
  g.od[0] = od, g.oh[0] = oh;
  int size = 1;
  for (; size < std::min<int64_t>(3, limit); ++size) {
    const NextRow nx =
        next_row_window(s, image, r + size - 1, lists[size - 1], counts[size - 1], lists[size]);
    if (!nx.shares_row || !joins(nx.nrows)) break;
    counts[size] = nx.nrows, g.od[size] = nx.od, g.oh[size] = nx.oh;
  }
  T* const dst[3] = {acc, acc + n, acc + 2 * n};
  if (size == 3 && !sum_row_group<V>(lists, counts, 3, n, dst)) size = 2;
  if (size == 2 && !sum_row_group<V>(lists, counts, 2, n, dst)) size = 1;
  g.size = size;
  return g;
}

// p[0..n) = value with vector stores (zero: 0). LLVM would turn this loop into a memset call
// (memory.fill under bulk memory, a runtime call per fill; without it, libc's scalar loop);
// no_builtin keeps the stores inline, which is faster for fills of a row or a band of rows. (Whole
// planes zeroed 64 KiB at a time are the exception: maxpool_bwd_nchw.cc measured memset faster
// there.)
#if defined(__clang__)
#define AP_NO_MEMSET __attribute__((no_builtin("memset")))
#define AP_NO_MEMCPY __attribute__((no_builtin("memcpy")))
#else
#define AP_NO_MEMSET  // g++ (native tests) has no such attribute; its memset is fast anyway
#define AP_NO_MEMCPY
#endif
template <class V>
AP_NO_MEMSET void fill(typename V::Elem* p, int64_t n, typename V::Elem value) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const V z = V::splat(value);
  T* const end = p + n;
  for (; end - p >= 4 * L; p += 4 * L) {
    V::store(p, z);
    V::store(p + L, z);
    V::store(p + 2 * L, z);
    V::store(p + 3 * L, z);
  }
  for (; end - p >= L; p += L) V::store(p, z);
  if (p < end && n >= L) {
    V::store(end - L, z);  // the tail as one store overlapping values already written
  } else {
    for (; p < end; ++p) *p = value;
  }
}

template <class V>
void zero(typename V::Elem* p, int64_t n) {
  fill<V>(p, n, 0);
}

// dst[0..n) = src[0..n) with vector loads and stores (memcpy of 512 bytes or more leaves wasm for
// a JavaScript call in Emscripten 3.1.6). The buffers must not overlap.
template <class V>
void copy(typename V::Elem* dst, const typename V::Elem* src, int64_t n) {
  constexpr int64_t L = V::kLanes;
  int64_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    const V a0 = V::load(src + i), a1 = V::load(src + i + L);
    const V a2 = V::load(src + i + 2 * L), a3 = V::load(src + i + 3 * L);
    V::store(dst + i, a0);
    V::store(dst + i + L, a1);
    V::store(dst + i + 2 * L, a2);
    V::store(dst + i + 3 * L, a3);
  }
  for (; i + L <= n; i += L) V::store(dst + i, V::load(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}

// The same for max indices, as a plain loop that the compiler vectorizes but may not turn into
// memcpy (see copy).
AP_NO_MEMCPY inline void copy_indices(int32_t* dst, const int32_t* src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

// The sum of p[0..n) as it streams in: four vector accumulators, so the loop is bound by loads
// rather than by add latency, folded into one vector; *tail gets the sum of the elements after the
// last whole block of four vectors. For reads whose result only has to see every element (the
// benchmark's roofline, a NaN test), not for pooling sums, whose order is PyTorch's.
template <class V>
V stream_sum(const typename V::Elem* p, ptrdiff_t n, typename V::Elem* tail) {
  constexpr ptrdiff_t L = V::kLanes;
  V a0 = V::splat(0), a1 = a0, a2 = a0, a3 = a0;
  ptrdiff_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    a0 = V::add(a0, V::load(p + i));
    a1 = V::add(a1, V::load(p + i + L));
    a2 = V::add(a2, V::load(p + i + 2 * L));
    a3 = V::add(a3, V::load(p + i + 3 * L));
  }
  typename V::Elem t = 0;
  for (; i < n; ++i) t += p[i];
  *tail = t;
  return V::add(V::add(a0, a1), V::add(a2, a3));
}

// Sum of p[0..k) with two vector accumulators (k >= 1).
template <class V>
typename V::Elem contiguous_sum(const typename V::Elem* p, int64_t k) {
  constexpr int64_t L = V::kLanes;
  using T = typename V::Elem;
  if (L == 1 || k < 2 * L) {
    T s = p[0];
    for (int64_t i = 1; i < k; ++i) s += p[i];
    return s;
  }
  V a = V::load(p), b = V::load(p + L);
  int64_t i = 2 * L;
  for (; i + 2 * L <= k; i += 2 * L) {
    a = V::add(a, V::load(p + i));
    b = V::add(b, V::load(p + i + L));
  }
  if (i + L <= k) {
    a = V::add(a, V::load(p + i));
    i += L;
  }
  T s = V::hsum(V::add(a, b));
  for (; i < k; ++i) s += p[i];
  return s;
}

// The factor that turns a window sum into PyTorch's average. PyTorch divides by each window length
// in turn; one multiplication by the reciprocal of the product is within two ulps of that (well
// inside the documented tolerance) and keeps divisions out of the inner loops.
template <typename T>
inline T window_scale(int64_t kd, int64_t kh, int64_t kw) {
  return T(1) / static_cast<T>(kd * kh * kw);
}

}  // namespace kernels
}  // namespace adaptive_pool
