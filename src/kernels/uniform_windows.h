// Axes whose windows tile the input exactly (window o is [o*k, (o+1)*k), so in = k*out, e.g.
// 14 -> 7). Read from the window tables, never from in and out, so window math stays in window.h;
// the fast paths for such axes (avgpool_fwd_nchw_uniform.cc) then step through the input in fixed
// blocks of k.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels.h"
#include "rows.h"

namespace adaptive_pool {
namespace kernels {

// k when every window of w is k long and starts at o*k; 0 otherwise.
inline int64_t uniform_window_len(const AxisWindows& w) {
  if (w.out <= 0) return 0;
  const int64_t k = win_len(w, 0);
  for (int64_t o = 0; o < w.out; ++o) {
    if (win_start(w, o) != o * k || win_len(w, o) != k) return 0;
  }
  return k;
}

// k when every window of w is k long and starts at o (sliding by one: n -> n - k + 1, the
// near-identity sizes), with at least min_out windows; 0 otherwise.
inline int64_t sliding_window_len(const AxisWindows& w, int64_t min_out) {
  if (w.out < min_out || w.out <= 0) return 0;
  const int64_t k = win_len(w, 0);
  for (int64_t o = 0; o < w.out; ++o) {
    if (win_start(w, o) != o || win_len(w, o) != k) return 0;
  }
  return k;
}

// Calls f(KH, KW) with the window sizes as std::integral_constant: the common kh = 2 and
// kw = 1, 2, 4 as themselves (loops unroll, sums stay in registers), any other size as 0, which
// the kernels read as "use the runtime kh / kw".
template <class F>
void with_uniform_sizes(int64_t kh, int64_t kw, F&& f) {
  auto with_kw = [&](auto KH) {
    switch (kw) {
      case 1:
        return f(KH, std::integral_constant<int, 1>{});
      case 2:
        return f(KH, std::integral_constant<int, 2>{});
      case 4:
        return f(KH, std::integral_constant<int, 4>{});
      default:
        return f(KH, std::integral_constant<int, 0>{});
    }
  };
  if (kh == 2) return with_kw(std::integral_constant<int, 2>{});
  return with_kw(std::integral_constant<int, 0>{});
}

// How many vectors of L outputs the SIMD uniform kernels write per output row, when they unroll
// that count: ceil(OW / L) for rows of one or two vectors, else 0 (a loop; always for the scalar
// twin). Short rows (vgg's 7 outputs, two vectors) then run as straight-line code per row. With
// call_apart (rows.h) and the row pointers stepped, vgg-divisible went 0.074 -> 0.048 ms, 12x12 ->
// 6x6 planes 0.123 -> 0.075, max pooling of 8x8 -> 4x4 planes 0.241 -> 0.147 (wasm, alternating
// builds, best of 4 or 5).
template <ptrdiff_t L>
int unrolled_row_vectors(ptrdiff_t OW) {
  const ptrdiff_t nv = (OW + L - 1) / L;
  return L > 1 && OW >= L && nv <= 2 ? static_cast<int>(nv) : 0;
}

// Calls f(NV) with NV = unrolled_row_vectors<L>(OW) as a std::integral_constant.
template <ptrdiff_t L, class F>
void with_row_vectors(ptrdiff_t OW, F&& f) {
  switch (unrolled_row_vectors<L>(OW)) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    default:
      return f(std::integral_constant<int, 0>{});
  }
}

// The OW outputs of one output row, L at a time: vector(ow) for ow = 0, L, 2L, ..., then the rest
// as one more vector overlapping outputs already written (it writes the same results) when the
// row holds a vector at all, else scalar(ow) for each. NV > 0: the row is NV vectors
// (unrolled_row_vectors), written without a loop.
template <ptrdiff_t L, int NV, class VectorFn, class ScalarFn>
void for_output_vectors(ptrdiff_t OW, VectorFn vector, ScalarFn scalar) {
  if constexpr (NV > 0) {
    for (int v = 0; v + 1 < NV; ++v) vector(v * L);
    vector(OW - L);
  } else {
    ptrdiff_t ow = 0;
    for (; ow + L <= OW; ow += L) vector(ow);
    if (ow == OW) return;
    if (OW >= L) {
      vector(OW - L);
    } else {
      for (; ow < OW; ++ow) scalar(ow);
    }
  }
}

// Widest W window the uniform kernels take (their column sums live in registers).
constexpr int64_t kMaxUniformWindow = 8;

// W windows the uniform kernels unroll (1, 2, 4: with_uniform_sizes), their lanes' windows
// reduced by shuffles. The max kernel takes only these: other widths gather columns through memory
// and lose to the plane groups (measured on 12 -> 4 and 24 -> 8); so do large planes (run.cc).
inline bool unrolled_uniform_width(int64_t kw) { return kw == 1 || kw == 2 || kw == 4; }

// Lane l = sum of elements [l*k, (l+1)*k) of a[0..k) read as one array of L*k values: windows of k
// side by side, summed with shuffles (pair_sums: (a0+a1, a2+a3, b0+b1, b2+b3) for 4 lanes). Powers
// of two halve the group size one pair-add at a time; other k go through memory (rare: divisible
// pooling mostly halves or quarters).
template <class V>
V sum_groups(const V* a, int64_t k) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  if (k == 1) return a[0];
  if (k == 2) return V::pair_sums(a[0], a[1]);
  if (k == 4) return V::pair_sums(V::pair_sums(a[0], a[1]), V::pair_sums(a[2], a[3]));
  T all[L * kMaxUniformWindow] = {};  // (rare path; zeroed only to keep g++ from warning)
  for (int64_t i = 0; i < k; ++i) V::store(all + i * L, a[i]);
  T e[L];
  for (int64_t l = 0; l < L; ++l) {
    T s = all[l * k];
    for (int64_t i = 1; i < k; ++i) s += all[l * k + i];
    e[l] = s;
  }
  return V::load(e);
}

}  // namespace kernels
}  // namespace adaptive_pool
