// Channels-first kernels for small planes (a 7x7 or 13x17 feature map): one plane has too few
// elements for SIMD along W to pay, so each work item interleaves G = 4 vectors' worth of planes
// (16 float32 or 8 float64) into a channels-last image of G channels (4x4 / 2x2 shuffles), pools
// it four vectors per position (so the window loops run once per 16 planes), and de-interleaves
// the result. (The average forward, when its windows shrink the rows, sums rows before it
// interleaves, so less is interleaved.) G is known at compile time and indices are pointer-sized:
// int64_t math costs a wrap per access in wasm32. Lanes past the last plane repeat it and are never
// stored.
//
// This header holds what the three group kernels share: the plane pointers of a group, the
// interleave and its inverse, and the window tables as pointer-sized arrays. The kernels are
// avgpool_fwd_nchw_groups.cc, maxpool_fwd_nchw_groups.cc and avgpool_bwd_nchw_groups.cc.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

template <class V>
Shape group_shape(const Shape& s) {
  Shape g = s;
  g.images = 1;
  g.channels = nchw_group_size<V>();
  return g;
}

// Plane pointers of group `item`, the last valid plane repeated past the end; returns how many
// are real.
template <class V, typename P>
int group_planes(int64_t item, int64_t planes, P base, int64_t plane_size, P* ptr) {
  const int64_t G = nchw_group_size<V>(), p0 = item * G;
  for (int64_t l = 0; l < G; ++l) ptr[l] = base + std::min(p0 + l, planes - 1) * plane_size;
  return static_cast<int>(std::min(G, planes - p0));
}

// dst[i * G + l] = src[l][i]: all G planes of one block of positions at a time, so each
// destination line is written whole.
template <class V, typename E>
void interleave_group(const E* const* src, ptrdiff_t n, E* dst) {
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  ptrdiff_t i = 0;
  for (; i + L <= n; i += L, dst += L * G) {
    for (ptrdiff_t q = 0; q < G; q += L) V::template interleave_block<G>(src + q, i, dst + q);
  }
  for (; i < n; ++i, dst += G) {
    for (ptrdiff_t l = 0; l < G; ++l) dst[l] = src[l][i];
  }
}

// The inverse, for the first `planes` planes only.
template <class V, typename E>
void deinterleave_group(const E* src, ptrdiff_t n, E* const* dst, int planes) {
  constexpr ptrdiff_t G = nchw_group_size<V>(), L = V::kLanes;
  const ptrdiff_t full = planes - planes % L;  // planes handled in whole blocks
  ptrdiff_t i = 0;
  for (; i + L <= n; i += L) {
    const E* p = src + i * G;
    for (ptrdiff_t q = 0; q < full; q += L) V::template deinterleave_block<G>(p + q, i, dst + q);
  }
  for (; i < n; ++i) {
    for (ptrdiff_t l = 0; l < full; ++l) dst[l][i] = src[i * G + l];
  }
  for (ptrdiff_t l = full; l < planes; ++l) {
    for (ptrdiff_t j = 0; j < n; ++j) dst[l][j] = src[j * G + l];
  }
}

// Pointer-sized copies of the window tables: in wasm32 every int64_t index costs a wrap (and a
// multiply may be an i64 one) per access, measurable in loops this short.
// All six in one scratch array: window o of axis D is [d0[o], d1[o]), and so on.
struct GroupWindows {
  Scratch<ptrdiff_t> table;
  ptrdiff_t *d0, *d1, *h0, *h1, *w0, *w1;
  explicit GroupWindows(const WindowTables& t) : table(2 * (t.d.out + t.h.out + t.w.out)) {
    ptrdiff_t* p = table.data();
    p = copy(t.d, p, &d0, &d1);
    p = copy(t.h, p, &h0, &h1);
    copy(t.w, p, &w0, &w1);
  }
  static ptrdiff_t* copy(const AxisWindows& a, ptrdiff_t* p, ptrdiff_t** lo, ptrdiff_t** hi) {
    *lo = p;
    *hi = p + a.out;
    for (int64_t o = 0; o < a.out; ++o) {
      (*lo)[o] = static_cast<ptrdiff_t>(win_start(a, o));
      (*hi)[o] = static_cast<ptrdiff_t>(win_end(a, o));
    }
    return p + 2 * a.out;
  }
};

}  // namespace kernels
}  // namespace adaptive_pool
