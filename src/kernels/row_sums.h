// Pass 1 of the row kernels: input rows summed with SIMD along the row (sum_rows), and the rows of
// two or three consecutive output rows that share an input row summed in one pass
// (row_group_pass1). Used by the channels-first average kernels and the channels-last rows
// (nhwc_rows.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "kernels.h"
#include "rows.h"
#include "simd.h"

namespace adaptive_pool {
namespace kernels {

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

}  // namespace kernels
}  // namespace adaptive_pool
