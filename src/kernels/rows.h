// Helpers shared by the kernels: window lookups, decoding work items, fills and copies, the
// average's factor. Pass 1's row sums are in row_sums.h.
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

// f(std::integral_constant<int, count>) for count 1..7, and for 8 and over as 8: the row loops
// (row_sums.h, row_windows.h) take their row or vector count as a template argument, so that it
// unrolls. Always inlined: left to LLVM, video-3d's pass 1 ran 10% slower (0.81 against 0.74 ms,
// wasm).
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
