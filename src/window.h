// The one place where adaptive pooling windows ("bins") are defined. Every kernel, the reference,
// the bindings and the demo get their windows from here, never from a formula of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace adaptive_pool {

// PyTorch's start_index/end_index (aten/src/ATen/native/AdaptivePooling.h): floor(o*in/out) and
// ceil((o+1)*in/out) in integer arithmetic. Float formulas go wrong past 2^24, and o*in overflows
// 32 bits once in*out >= 2^31, so everything is int64. The validator caps in and out below 2^31,
// which keeps (o+1)*in below 2^62.
inline int64_t window_start(int64_t o, int64_t in, int64_t out) {
  // Split o*in/out as (o/out)*in + ((o%out)*in)/out: same value as floor(o*in/out), as PyTorch
  // does.
  return (o / out) * in + ((o % out) * in) / out;
}

inline int64_t window_end(int64_t o, int64_t in, int64_t out) {
  return 1 + ((o + 1) * in - 1) / out;
}

// Windows of one axis, computed once per call by the op layer and handed to kernels as tables.
struct AxisWindows {
  int64_t in = 0;
  int64_t out = 0;
  std::vector<int64_t> start;  // out entries
  std::vector<int64_t> end;    // out entries, exclusive

  AxisWindows() = default;
  AxisWindows(int64_t in_size, int64_t out_size) : in(in_size), out(out_size) {
    start.resize(static_cast<size_t>(out_size));
    end.resize(static_cast<size_t>(out_size));
    for (int64_t o = 0; o < out_size; ++o) {
      start[static_cast<size_t>(o)] = window_start(o, in_size, out_size);
      end[static_cast<size_t>(o)] = window_end(o, in_size, out_size);
    }
  }
};

}  // namespace adaptive_pool
