// Validation of a pooling call and the normalised geometry every op works from.
// All shape checks live here, so the C++ core, the bindings and the npm package report the same
// errors with the same messages.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "status.h"

namespace adaptive_pool {

enum class Layout : int { kChannelsFirst = 0, kChannelsLast = 1 };
enum class PoolKind : int { kAvg = 0, kMax = 1 };

// An output_size entry meaning "keep this axis' input size" (PyTorch's None). 2d/3d only.
constexpr int64_t kKeepInputSize = std::numeric_limits<int64_t>::min();

struct PoolGeometry {
  PoolKind kind = PoolKind::kAvg;
  int spatial_dims = 0;  // 1, 2 or 3
  Layout layout = Layout::kChannelsFirst;
  bool batched = false;
  int64_t batch = 1;     // N (1 when unbatched)
  int64_t channels = 0;  // C
  // Spatial sizes as D, H, W. Axes the op does not have are 1 (1d uses W only, 2d uses H and W),
  // so one set of 3d loops serves every rank and a size-1 axis divides by exactly 1.
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  std::vector<int64_t> input_shape;   // memory order, as the caller gave it
  std::vector<int64_t> output_shape;  // memory order, same rank and layout as input_shape

  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }
  int64_t planes() const { return batch * channels; }
  int64_t input_numel() const { return planes() * in_plane(); }
  int64_t output_numel() const { return planes() * out_plane(); }
};

// "adaptive_avg_pool2d", "adaptive_max_pool3d", ...: the PyTorch name used in messages.
const char* op_name(PoolKind kind, int spatial_dims);

// Validates a forward call: rank, empty spatial axes, output_size length and sign, element counts
// that overflow, planes of 2^31 elements or more. output_size has one entry, or one per spatial
// axis; kKeepInputSize is allowed for 2d/3d.
Status plan_forward(PoolKind kind, int spatial_dims, Layout layout,
                    const std::vector<int64_t>& input_shape,
                    const std::vector<int64_t>& output_size, PoolGeometry* geometry);

// Validates a backward call: input_shape as in forward; grad_output_shape must have the same rank,
// batch and channels as the input, and its spatial sizes are the output size.
Status plan_backward(PoolKind kind, int spatial_dims, Layout layout,
                     const std::vector<int64_t>& input_shape,
                     const std::vector<int64_t>& grad_output_shape, PoolGeometry* geometry);

// True when g could have come from plan_forward/plan_backward: its numbers agree with its own
// input_shape and output_shape and stay within the planners' limits. The ops call it instead of
// planning again, so a hand-edited or stale geometry cannot steer a kernel outside its buffers at
// the price of a few compares (no allocation).
bool geometry_consistent(const PoolGeometry& g);

}  // namespace adaptive_pool
