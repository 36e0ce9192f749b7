// Axes whose windows tile the input exactly (window o is [o*k, (o+1)*k), so in = k*out, e.g.
// 14 -> 7). Read from the window tables, never from in and out, so window math stays in window.h;
// the fast paths for such axes (avgpool_fwd_nchw_uniform.cc) then step through the input in fixed
// blocks of k.
#pragma once

#include <cstdint>

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

// Widest W window the uniform kernels take (their column sums live in registers).
constexpr int64_t kMaxUniformWindow = 8;

// Items: images * out_rows, one output row each (channels-first, D not pooled: every D window is
// one row long).
template <class V>
void avgpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

}  // namespace kernels
}  // namespace adaptive_pool
