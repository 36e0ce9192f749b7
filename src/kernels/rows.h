// Helpers shared by the kernels: decoding work items and the SIMD loops every family uses.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels.h"
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

// Outputs whose window holds input position i: [lo, hi). Starts and ends never decrease with o.
inline void covering(const AxisWindows& w, int64_t i, int64_t* lo, int64_t* hi) {
  *lo = std::upper_bound(w.end.begin(), w.end.end(), i) - w.end.begin();
  *hi = std::upper_bound(w.start.begin(), w.start.end(), i) - w.start.begin();
}

// dst[j] = rows[0][j] + rows[1][j] + ... for j < n, rows added in the given (row-major) order.
template <class V>
void sum_rows(const typename V::Elem* const* rows, int64_t nrows, int64_t n,
              typename V::Elem* dst) {
  constexpr int64_t L = V::kLanes;
  int64_t j = 0;
  for (; j + 4 * L <= n; j += 4 * L) {
    V a0 = V::load(rows[0] + j), a1 = V::load(rows[0] + j + L);
    V a2 = V::load(rows[0] + j + 2 * L), a3 = V::load(rows[0] + j + 3 * L);
    for (int64_t k = 1; k < nrows; ++k) {
      const typename V::Elem* r = rows[k] + j;
      a0 = V::add(a0, V::load(r));
      a1 = V::add(a1, V::load(r + L));
      a2 = V::add(a2, V::load(r + 2 * L));
      a3 = V::add(a3, V::load(r + 3 * L));
    }
    V::store(dst + j, a0);
    V::store(dst + j + L, a1);
    V::store(dst + j + 2 * L, a2);
    V::store(dst + j + 3 * L, a3);
  }
  for (; j + L <= n; j += L) {
    V a = V::load(rows[0] + j);
    for (int64_t k = 1; k < nrows; ++k) a = V::add(a, V::load(rows[k] + j));
    V::store(dst + j, a);
  }
  for (; j < n; ++j) {
    typename V::Elem a = rows[0][j];
    for (int64_t k = 1; k < nrows; ++k) a += rows[k][j];
    dst[j] = a;
  }
}

// p[0..n) = 0 with vector stores. LLVM would turn this loop into a memset call (memory.fill under
// bulk memory, a runtime call per fill; without it, libc's scalar loop); no_builtin keeps the
// stores inline, which is faster for the plane-sized fills of the backward kernels.
#if defined(__clang__)
#define AP_NO_MEMSET __attribute__((no_builtin("memset")))
#else
#define AP_NO_MEMSET  // g++ (native tests) has no such attribute; its memset is fast anyway
#endif
template <class V>
AP_NO_MEMSET void zero(typename V::Elem* p, int64_t n) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const V z = V::splat(0);
  T* const end = p + n;
  for (; end - p >= 4 * L; p += 4 * L) {
    V::store(p, z);
    V::store(p + L, z);
    V::store(p + 2 * L, z);
    V::store(p + 3 * L, z);
  }
  for (; end - p >= L; p += L) V::store(p, z);
  if (p < end && n >= L) {
    V::store(end - L, z);  // the tail as one store overlapping zeros already written
  } else {
    for (; p < end; ++p) *p = 0;
  }
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
