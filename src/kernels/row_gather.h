// Upsampling along W: when every W window has length 1, output o is the single element
// row[start[o]]. L consecutive outputs usually read at most L consecutive inputs (5 -> 7 reads
// 0 0 1 2 ...), so one vector load and one byte shuffle (i8x16.swizzle) serve L outputs; the
// shuffle masks depend only on the W window table, so they are built once per call. Exact 2x
// (output o reads o / 2) has its own loop: one load and two constant shuffles make 2L outputs,
// where the swizzle path spends a table load, a mask load and a three-instruction swizzle per L.
// The planning (plan_gather) takes any index table: the average backward gathers its deltas with
// it (avgpool_bwd_nchw.cc).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "rows.h"
#include "scratch.h"
#include "simd.h"

namespace adaptive_pool {
namespace kernels {

// Per group of L outputs: the first input it reads, or -1 when its inputs do not fit one vector
// load inside the source (the group is then read element by element), and its 16-byte shuffle
// mask.
struct RowGather {
  Scratch<int64_t> base;
  Scratch<uint8_t> mask;
  bool doubling = false;  // output o reads input o / 2 for every o
};

// The plan for any index table: output o < n reads src[index(o)] (src holds n_src elements), or is
// zero when index(o) < 0 (its mask bytes are out of range, which i8x16.swizzle turns into zeros).
// Indices need not increase; a group's present ones must lie within L of each other.
template <class V, class Index>
RowGather plan_gather(int64_t n, int64_t n_src, Index index) {
  constexpr int64_t L = V::kLanes;
  constexpr int64_t bytes = 16 / L;  // bytes per lane
  const int64_t groups = L > 1 ? n / L : 0;
  RowGather g{Scratch<int64_t>(groups, -1), Scratch<uint8_t>(groups * 16, 0x80)};
  for (int64_t i = 0; i < groups; ++i) {
    int64_t first = n_src, last = -1;
    for (int64_t lane = 0; lane < L; ++lane) {
      const int64_t k = index(i * L + lane);
      if (k >= 0) first = std::min(first, k), last = std::max(last, k);
    }
    if (last < 0) first = 0;  // no lane reads: any load inside the source
    if (last - first >= L || first + L > n_src) continue;
    g.base[static_cast<size_t>(i)] = first;
    for (int64_t lane = 0; lane < L; ++lane) {
      const int64_t k = index(i * L + lane);
      if (k < 0) continue;
      for (int64_t b = 0; b < bytes; ++b) {
        g.mask[static_cast<size_t>(i * 16 + lane * bytes + b)] =
            static_cast<uint8_t>((k - first) * bytes + b);
      }
    }
  }
  return g;
}

template <class V>
RowGather plan_row_gather(const AxisWindows& ww) {
  constexpr int64_t L = V::kLanes;
  bool doubling = ww.out >= 2 * L;
  for (int64_t o = 0; doubling && o < ww.out; ++o) doubling = win_start(ww, o) == o / 2;
  RowGather g = plan_gather<V>(ww.out, ww.in, [&](int64_t o) { return win_start(ww, o); });
  g.doubling = doubling;
  return g;
}

// out[o] = row[start[o]] * scale[o] for o < ww.out, or row[start[o]] when scale is null. E is
// V::Elem, or with no scale any type of its width: the max kernel gathers its columns' values and
// their int32 flat indices alike (the shuffles move bytes).
template <class V, typename E>
void gather_row(const E* row, const AxisWindows& ww, const RowGather& g,
                const typename V::Elem* scale, E* out) {
  static_assert(sizeof(E) == sizeof(typename V::Elem), "one element per lane");
  constexpr bool kFloat = std::is_same<E, typename V::Elem>::value;
  const int64_t* start = ww.start.data();
  int64_t o = 0;
#if AP_HAVE_SIMD
  constexpr int64_t L = V::kLanes;
  const int64_t groups = static_cast<int64_t>(g.base.size());
  if constexpr (L > 1) {
    // The L outputs at `at` from their gathered inputs v.
    auto store = [&](int64_t at, v128_t v) {
      if constexpr (kFloat) {
        if (scale != nullptr) v = V::mul(V{v}, V::load(scale + at)).v;
      }
      wasm_v128_store(out + at, v);
    };
    if (g.doubling) {
      // Every window has one length, so one scale serves the row.
      const E* in = row;
      const int64_t end = ww.out - ww.out % (2 * L);
      for (; o < end; o += 2 * L, in += L) {
        V lo, hi;
        V::repeat2(V{wasm_v128_load(in)}, &lo, &hi);
        if constexpr (kFloat) {
          if (scale != nullptr) {
            const V k = V::splat(scale[0]);
            lo = V::mul(lo, k);
            hi = V::mul(hi, k);
          }
        }
        wasm_v128_store(out + o, lo.v);
        wasm_v128_store(out + o + L, hi.v);
      }
    }
    for (int64_t i = o / L; i < groups; ++i, o += L) {
      const int64_t first = g.base[static_cast<size_t>(i)];
      if (first < 0) {
        for (int64_t lane = 0; lane < L; ++lane) out[o + lane] = row[start[o + lane]];
        if (scale != nullptr) store(o, wasm_v128_load(out + o));
        continue;
      }
      const v128_t mask = wasm_v128_load(g.mask.data() + i * 16);
      store(o, wasm_i8x16_swizzle(wasm_v128_load(row + first), mask));
    }
  }
#else
  (void)g;
#endif
  for (; o < ww.out; ++o) {
    if constexpr (kFloat) {
      out[o] = scale != nullptr ? row[start[o]] * scale[o] : row[start[o]];
    } else {
      out[o] = row[start[o]];
    }
  }
}

}  // namespace kernels
}  // namespace adaptive_pool
