#include "geometry.h"

#include <string>

namespace adaptive_pool {
namespace {

constexpr int64_t kMaxPlane = int64_t{1} << 31;  // indices are int32
constexpr int64_t kMaxAxis = int64_t{1} << 31;   // keeps window math far from int64 overflow
// Element counts stay below 2^60 so a byte count (at most 8 bytes an element) still fits in int64.
constexpr int64_t kMaxElements = int64_t{1} << 60;

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// PyTorch prints output_size as {a, b}; a kept axis shows as None.
std::string format_sizes(const std::vector<int64_t>& sizes) {
  std::string s = "{";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) s += ", ";
    s += sizes[i] == kKeepInputSize ? std::string("None") : std::to_string(sizes[i]);
  }
  return s + "}";
}

// Product of non-negative factors; false when it reaches `limit` or overflows on the way.
bool product_below(const int64_t* factors, int count, int64_t limit, int64_t* result) {
  int64_t p = 1;
  bool zero = false;
  bool too_big = false;
  for (int i = 0; i < count; ++i) {
    if (factors[i] == 0) zero = true;
    if (too_big || zero) continue;
    if (factors[i] > (limit - 1) / p) {
      too_big = true;
    } else {
      p *= factors[i];
    }
  }
  // A zero factor makes the product 0 however large the others are.
  if (zero) {
    *result = 0;
    return true;
  }
  *result = p;
  return !too_big;
}

Status check_kind(PoolKind kind, int spatial_dims, Layout layout) {
  if (kind != PoolKind::kAvg && kind != PoolKind::kMax) {
    return Status::Error(ErrorCode::kArgument,
                         "adaptive pooling: kind must be avg (0) or max (1), but got " +
                             std::to_string(static_cast<int>(kind)));
  }
  if (spatial_dims < 1 || spatial_dims > 3) {
    return Status::Error(ErrorCode::kArgument,
                         "adaptive pooling: spatial_dims must be 1, 2 or 3, but got " +
                             std::to_string(spatial_dims));
  }
  if (layout != Layout::kChannelsFirst && layout != Layout::kChannelsLast) {
    return Status::Error(
        ErrorCode::kArgument,
        "adaptive pooling: layout must be channels-first (0) or channels-last (1), "
        "but got " +
            std::to_string(static_cast<int>(layout)));
  }
  return Status::Ok();
}

// Rank, sign and emptiness of input_shape: the checks forward and backward share.
Status check_input_shape(const std::string& name, int spatial_dims,
                         const std::vector<int64_t>& input_shape) {
  const size_t rank = input_shape.size();
  const size_t sd = static_cast<size_t>(spatial_dims);
  if (rank != sd + 1 && rank != sd + 2) {
    return Status::Error(ErrorCode::kRank, name + "(): Expected " + std::to_string(sd + 1) +
                                               "D or " + std::to_string(sd + 2) +
                                               "D tensor, but got input_shape " +
                                               format_shape(input_shape));
  }
  for (size_t i = 0; i < rank; ++i) {
    if (input_shape[i] < 0) {
      return Status::Error(ErrorCode::kShape,
                           name + "(): input_shape entries must be >= 0, but got " +
                               format_shape(input_shape) + " with dimension " + std::to_string(i) +
                               " being " + std::to_string(input_shape[i]));
    }
  }
  const size_t first_non_batch = rank == sd + 2 ? 1 : 0;
  for (size_t i = first_non_batch; i < rank; ++i) {
    if (input_shape[i] == 0) {
      return Status::Error(ErrorCode::kShape,
                           name +
                               "(): Expected input to have non-zero size for non-batch "
                               "dimensions, but input has sizes " +
                               format_shape(input_shape) + " with dimension " + std::to_string(i) +
                               " being empty");
    }
  }
  return Status::Ok();
}

// Splits a memory-order shape into N, C and the spatial sizes (in order D, H, W of this rank).
void split_shape(const std::vector<int64_t>& shape, int spatial_dims, Layout layout, int64_t* batch,
                 int64_t* channels, int64_t* spatial) {
  const bool batched = shape.size() == static_cast<size_t>(spatial_dims) + 2;
  const size_t b = batched ? 1 : 0;
  *batch = batched ? shape[0] : 1;
  const size_t first_spatial = layout == Layout::kChannelsFirst ? b + 1 : b;
  *channels = layout == Layout::kChannelsFirst ? shape[b] : shape[b + spatial_dims];
  for (int i = 0; i < spatial_dims; ++i) spatial[i] = shape[first_spatial + i];
}

}  // namespace

const char* op_name(PoolKind kind, int spatial_dims) {
  static const char* const kNames[2][3] = {
      {"adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"},
      {"adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"}};
  const int k = static_cast<int>(kind);
  if (k < 0 || k > 1 || spatial_dims < 1 || spatial_dims > 3) return "adaptive_pool";
  return kNames[k][spatial_dims - 1];
}

Status plan_forward(PoolKind kind, int spatial_dims, Layout layout,
                    const std::vector<int64_t>& input_shape,
                    const std::vector<int64_t>& output_size, PoolGeometry* geometry) {
  if (geometry == nullptr) {
    return Status::Error(ErrorCode::kArgument, "plan_forward: geometry must not be null");
  }
  Status s = check_kind(kind, spatial_dims, layout);
  if (!s.ok()) return s;
  const std::string name = op_name(kind, spatial_dims);
  s = check_input_shape(name, spatial_dims, input_shape);
  if (!s.ok()) return s;

  PoolGeometry g;
  g.kind = kind;
  g.spatial_dims = spatial_dims;
  g.layout = layout;
  g.batched = input_shape.size() == static_cast<size_t>(spatial_dims) + 2;
  int64_t spatial_in[3] = {1, 1, 1};
  split_shape(input_shape, spatial_dims, layout, &g.batch, &g.channels, spatial_in);

  // Pass 1: output_size, one entry or one per axis; None only where an axis can keep its size.
  const size_t sd = static_cast<size_t>(spatial_dims);
  if (output_size.size() != 1 && output_size.size() != sd) {
    return Status::Error(ErrorCode::kOutputSize,
                         name + ": output_size must be " + std::to_string(sd) +
                             (sd > 1 ? " (or a single value)" : "") + ", but got " +
                             std::to_string(output_size.size()) + " values " +
                             format_sizes(output_size));
  }
  int64_t spatial_out[3] = {1, 1, 1};
  for (size_t i = 0; i < sd; ++i) {
    const int64_t v = output_size.size() == 1 ? output_size[0] : output_size[i];
    if (v == kKeepInputSize && sd == 1) {
      return Status::Error(ErrorCode::kOutputSize,
                           name +
                               ": output_size must be an integer (None keeps an input size in "
                               "2d and 3d only), but received " +
                               format_sizes(output_size));
    }
    spatial_out[i] = v == kKeepInputSize ? spatial_in[i] : v;
  }
  for (size_t i = 0; i < sd; ++i) {
    if (spatial_out[i] < 0) {
      return Status::Error(ErrorCode::kOutputSize,
                           name +
                               ": elements of output_size must be greater than or equal to 0 but "
                               "received " +
                               format_sizes(output_size));
    }
  }
  for (size_t i = 0; i < sd; ++i) {
    if (spatial_out[i] >= kMaxAxis) {
      return Status::Error(ErrorCode::kOutputSize,
                           name + ": elements of output_size must be less than 2^31 but received " +
                               format_sizes(output_size));
    }
  }

  // Pass 2: element counts. Planes index with int32; whole tensors must fit int64 byte counts.
  int64_t in_plane = 0;
  if (!product_below(spatial_in, spatial_dims, kMaxPlane, &in_plane)) {
    return Status::Error(ErrorCode::kShape,
                         name +
                             "(): input planes must have fewer than 2^31 elements (indices are "
                             "int32), but input_shape " +
                             format_shape(input_shape) + " has larger planes");
  }
  const int64_t in_factors[3] = {g.batch, g.channels, in_plane};
  int64_t input_numel = 0;
  if (!product_below(in_factors, 3, kMaxElements, &input_numel)) {
    return Status::Error(ErrorCode::kShape, name + "(): input_shape " + format_shape(input_shape) +
                                                " has too many elements (2^60 or more)");
  }
  int64_t out_factors[5] = {g.batch, g.channels, spatial_out[0], spatial_out[1], spatial_out[2]};
  int64_t output_numel = 0;
  if (!product_below(out_factors, 2 + spatial_dims, kMaxElements, &output_numel)) {
    return Status::Error(ErrorCode::kOutputSize, name + ": output_size " +
                                                     format_sizes(output_size) +
                                                     " gives too many output elements (2^60 or "
                                                     "more) for input_shape " +
                                                     format_shape(input_shape));
  }

  // Pass 3: normalise to D, H, W (missing axes are 1) and build the output shape in memory order.
  for (int i = 0; i < spatial_dims; ++i) {
    g.in[3 - spatial_dims + i] = spatial_in[i];
    g.out[3 - spatial_dims + i] = spatial_out[i];
  }
  g.input_shape = input_shape;
  g.output_shape.clear();
  if (g.batched) g.output_shape.push_back(g.batch);
  if (layout == Layout::kChannelsFirst) g.output_shape.push_back(g.channels);
  for (int i = 0; i < spatial_dims; ++i) g.output_shape.push_back(spatial_out[i]);
  if (layout == Layout::kChannelsLast) g.output_shape.push_back(g.channels);
  *geometry = std::move(g);
  return Status::Ok();
}

bool geometry_consistent(const PoolGeometry& g) {
  if (!check_kind(g.kind, g.spatial_dims, g.layout).ok()) return false;
  const size_t sd = static_cast<size_t>(g.spatial_dims);
  const size_t rank = g.input_shape.size();
  if (rank != (g.batched ? sd + 2 : sd + 1) || g.output_shape.size() != rank) return false;
  int64_t in_n = 0, in_c = 0, out_n = 0, out_c = 0;
  int64_t in_spatial[3] = {1, 1, 1};
  int64_t out_spatial[3] = {1, 1, 1};
  split_shape(g.input_shape, g.spatial_dims, g.layout, &in_n, &in_c, in_spatial);
  split_shape(g.output_shape, g.spatial_dims, g.layout, &out_n, &out_c, out_spatial);
  if (in_n != g.batch || out_n != g.batch || in_c != g.channels || out_c != g.channels)
    return false;
  if (g.batch < 0 || g.channels < 1) return false;
  for (int i = 0; i < 3; ++i) {
    // Axes this rank does not have are 1; the others are the shapes' spatial sizes.
    const int k = i - (3 - g.spatial_dims);
    const int64_t in = k >= 0 ? in_spatial[k] : 1, out = k >= 0 ? out_spatial[k] : 1;
    if (g.in[i] != in || g.out[i] != out) return false;
    if (in < 1 || in >= kMaxAxis || out < 0 || out >= kMaxAxis) return false;
  }
  int64_t in_plane = 0, numel = 0;
  if (!product_below(g.in, 3, kMaxPlane, &in_plane)) return false;
  const int64_t in_factors[3] = {g.batch, g.channels, in_plane};
  if (!product_below(in_factors, 3, kMaxElements, &numel)) return false;
  const int64_t out_factors[5] = {g.batch, g.channels, g.out[0], g.out[1], g.out[2]};
  return product_below(out_factors, 5, kMaxElements, &numel);
}

Status plan_backward(PoolKind kind, int spatial_dims, Layout layout,
                     const std::vector<int64_t>& input_shape,
                     const std::vector<int64_t>& grad_output_shape, PoolGeometry* geometry) {
  if (geometry == nullptr) {
    return Status::Error(ErrorCode::kArgument, "plan_backward: geometry must not be null");
  }
  Status s = check_kind(kind, spatial_dims, layout);
  if (!s.ok()) return s;
  const std::string name = std::string(op_name(kind, spatial_dims)) + "_backward";
  s = check_input_shape(name, spatial_dims, input_shape);
  if (!s.ok()) return s;
  if (grad_output_shape.size() != input_shape.size()) {
    return Status::Error(ErrorCode::kRank,
                         name + "(): grad_output must have the same rank as input (" +
                             std::to_string(input_shape.size()) + "D), but got grad_output_shape " +
                             format_shape(grad_output_shape) + " for input_shape " +
                             format_shape(input_shape));
  }
  for (size_t i = 0; i < grad_output_shape.size(); ++i) {
    if (grad_output_shape[i] < 0) {
      return Status::Error(ErrorCode::kShape,
                           name + "(): grad_output_shape entries must be >= 0, but got " +
                               format_shape(grad_output_shape) + " with dimension " +
                               std::to_string(i) + " being " +
                               std::to_string(grad_output_shape[i]));
    }
  }
  int64_t in_n = 0, in_c = 0, out_n = 0, out_c = 0;
  int64_t in_spatial[3] = {1, 1, 1};
  int64_t out_spatial[3] = {1, 1, 1};
  split_shape(input_shape, spatial_dims, layout, &in_n, &in_c, in_spatial);
  split_shape(grad_output_shape, spatial_dims, layout, &out_n, &out_c, out_spatial);
  if (in_n != out_n || in_c != out_c) {
    return Status::Error(
        ErrorCode::kShape,
        name + "(): grad_output_shape " + format_shape(grad_output_shape) +
            " must have the batch and channels of input_shape " + format_shape(input_shape) +
            " (N=" + std::to_string(in_n) + ", C=" + std::to_string(in_c) +
            "), but has N=" + std::to_string(out_n) + ", C=" + std::to_string(out_c));
  }
  const std::vector<int64_t> output_size(out_spatial, out_spatial + spatial_dims);
  PoolGeometry g;
  s = plan_forward(kind, spatial_dims, layout, input_shape, output_size, &g);
  if (!s.ok()) {
    return Status::Error(s.code, name + "(): grad_output_shape " + format_shape(grad_output_shape) +
                                     " does not fit: " + s.message);
  }
  *geometry = std::move(g);
  return Status::Ok();
}

}  // namespace adaptive_pool
