// The factor of each W window of the average (channels-first forward and backward, channels-last
// forward) for one kd * kh, kept for the last two values asked for.
#pragma once

#include <cstdint>

#include "kernels.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

// Window lengths along H take two values, often alternating (image-1080p: 5, 6, 5, ...): one kept
// table was recomputed on nearly every row, and computing each factor where it is used costs a
// division per window (avg-bwd-image: 672 rows of 224).
template <typename T>
class WindowScales {
 public:
  explicit WindowScales(const AxisWindows& ww) : ww_(ww), scale_(2 * ww.out) {}
  // The table for kdh; it stays valid while at most one other value is asked for (the table
  // least recently asked for is the one replaced).
  const T* at(int64_t kdh) {
    int k = kdh_[0] == kdh ? 0 : kdh_[1] == kdh ? 1 : -1;
    if (k < 0) {
      k = older_;
      kdh_[k] = kdh;
      for (int64_t o = 0; o < ww_.out; ++o) table(k)[o] = window_scale<T>(1, kdh, win_len(ww_, o));
    }
    older_ = 1 - k;
    return table(k);
  }

 private:
  T* table(int k) { return scale_.data() + k * ww_.out; }
  const AxisWindows& ww_;
  Scratch<T> scale_;
  int64_t kdh_[2] = {-1, -1};
  int older_ = 0;
};

}  // namespace kernels
}  // namespace adaptive_pool
