// The op layer: checks the geometry's consistency and every buffer before anything is written,
// builds the window tables once, then hands over to the kernel dispatch.
#include "adaptive_pool.h"

#include <algorithm>
#include <new>
#include <string>
#include <vector>

#include "dispatch.h"
#include "window_tables.h"

namespace adaptive_pool {
namespace {

// A geometry is trusted only if its numbers agree with its own shapes (geometry_consistent: a few
// compares, not a second plan), so a hand-made or stale PoolGeometry cannot steer a kernel outside
// its buffers.
Status check_geometry(const PoolGeometry& g, PoolKind kind, const char* fn) {
  if (g.kind != kind) {
    return Status::Error(ErrorCode::kArgument, std::string(fn) + ": geometry was planned for " +
                                                   op_name(g.kind, g.spatial_dims) +
                                                   ", not for this op");
  }
  if (g.spatial_dims < 1 || g.spatial_dims > 3) {
    return Status::Error(ErrorCode::kArgument,
                         std::string(fn) + ": geometry.spatial_dims must be 1, 2 or 3, but got " +
                             std::to_string(g.spatial_dims));
  }
  if (!geometry_consistent(g)) {
    return Status::Error(ErrorCode::kArgument,
                         std::string(fn) +
                             ": geometry does not match its own input_shape; build it with "
                             "plan_forward or plan_backward");
  }
  return Status::Ok();
}

Status check_buffer(const std::string& name, const char* arg, const void* data, int64_t len,
                    int64_t expected, const char* shape_arg, const std::vector<int64_t>& shape) {
  if (len == expected && (data != nullptr || expected == 0)) return Status::Ok();
  // Only a failing call pays for the message.
  std::string dims = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    dims += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  }
  dims += "]";
  if (len != expected) {
    return Status::Error(ErrorCode::kShape, name + "(): " + arg + " has " + std::to_string(len) +
                                                " elements, but " + shape_arg + " " + dims +
                                                " needs " + std::to_string(expected));
  }
  if (data == nullptr && expected > 0) {
    return Status::Error(ErrorCode::kArgument, name + "(): " + arg + " is null but " + shape_arg +
                                                   " " + dims + " needs " +
                                                   std::to_string(expected) + " elements");
  }
  return Status::Ok();
}

// Turns an allocation failure inside the window tables or a kernel into an error code.
template <typename Run>
Status run_guarded(const std::string& name, Run run) {
  try {
    run();
  } catch (const std::bad_alloc&) {
    return Status::Error(ErrorCode::kMemory, name + "(): out of memory");
  }
  return Status::Ok();
}

}  // namespace

template <typename T>
Status avg_pool_forward(const PoolGeometry& g, const T* input, int64_t input_len, T* output,
                        int64_t output_len, ThreadPool* pool) {
  Status s = check_geometry(g, PoolKind::kAvg, "avg_pool_forward");
  if (!s.ok()) return s;
  const std::string name = op_name(g.kind, g.spatial_dims);
  s = check_buffer(name, "input", input, input_len, g.input_numel(), "input_shape", g.input_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "output", output, output_len, g.output_numel(), "output shape",
                   g.output_shape);
  if (!s.ok()) return s;
  return run_guarded(name, [&] {
    const WindowTables w = make_window_tables(g);
    dispatch_avg_forward(g, w, input, output, pool);
  });
}

template <typename T>
Status max_pool_forward(const PoolGeometry& g, const T* input, int64_t input_len, T* output,
                        int32_t* indices, int64_t output_len, ThreadPool* pool) {
  Status s = check_geometry(g, PoolKind::kMax, "max_pool_forward");
  if (!s.ok()) return s;
  const std::string name = op_name(g.kind, g.spatial_dims);
  s = check_buffer(name, "input", input, input_len, g.input_numel(), "input_shape", g.input_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "output", output, output_len, g.output_numel(), "output shape",
                   g.output_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "indices", indices, output_len, g.output_numel(), "output shape",
                   g.output_shape);
  if (!s.ok()) return s;
  return run_guarded(name, [&] {
    const WindowTables w = make_window_tables(g);
    dispatch_max_forward(g, w, input, output, indices, pool);
  });
}

template <typename T>
Status avg_pool_backward(const PoolGeometry& g, const T* grad_output, int64_t grad_output_len,
                         T* grad_input, int64_t grad_input_len, ThreadPool* pool) {
  Status s = check_geometry(g, PoolKind::kAvg, "avg_pool_backward");
  if (!s.ok()) return s;
  const std::string name = std::string(op_name(g.kind, g.spatial_dims)) + "_backward";
  s = check_buffer(name, "grad_output", grad_output, grad_output_len, g.output_numel(),
                   "grad_output_shape", g.output_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "grad_input", grad_input, grad_input_len, g.input_numel(), "input_shape",
                   g.input_shape);
  if (!s.ok()) return s;
  return run_guarded(name, [&] {
    const WindowTables w = make_window_tables(g);
    dispatch_avg_backward(g, w, grad_output, grad_input, pool);
  });
}

template <typename T>
Status max_pool_backward(const PoolGeometry& g, const T* grad_output, const int32_t* indices,
                         int64_t grad_output_len, T* grad_input, int64_t grad_input_len,
                         ThreadPool* pool) {
  Status s = check_geometry(g, PoolKind::kMax, "max_pool_backward");
  if (!s.ok()) return s;
  const std::string name = std::string(op_name(g.kind, g.spatial_dims)) + "_backward";
  s = check_buffer(name, "grad_output", grad_output, grad_output_len, g.output_numel(),
                   "grad_output_shape", g.output_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "indices", indices, grad_output_len, g.output_numel(), "grad_output_shape",
                   g.output_shape);
  if (!s.ok()) return s;
  s = check_buffer(name, "grad_input", grad_input, grad_input_len, g.input_numel(), "input_shape",
                   g.input_shape);
  if (!s.ok()) return s;
  // Every index is checked before the first write, so a bad one leaves grad_input untouched.
  // A branch-free pass first: the largest index read as unsigned (so negatives count as huge),
  // one i32x4.max_u per vector once vectorised, where a compare, an and and an or per vector took
  // three times the instructions (max-bwd-odd: the call about 4% faster). The loop that names the
  // bad index runs only when there is one.
  const int64_t plane = g.in_plane();
  const uint32_t limit = static_cast<uint32_t>(plane);  // plane < 2^31 (plan_backward)
  uint32_t largest = 0;
  for (int64_t i = 0; i < grad_output_len; ++i) {
    largest = std::max(largest, static_cast<uint32_t>(indices[i]));
  }
  const bool bad = largest >= limit;
  for (int64_t i = 0; bad && i < grad_output_len; ++i) {
    if (indices[i] < 0 || indices[i] >= plane) {
      return Status::Error(ErrorCode::kIndex,
                           name + "(): indices[" + std::to_string(i) +
                               "] = " + std::to_string(indices[i]) +
                               " is outside its input plane of " + std::to_string(plane) +
                               " elements (valid: 0 to " + std::to_string(plane - 1) + ")");
    }
  }
  return run_guarded(name, [&] {
    const WindowTables w = make_window_tables(g);
    dispatch_max_backward(g, w, grad_output, indices, grad_input, pool);
  });
}

#define ADAPTIVE_POOL_INSTANTIATE(T)                                                               \
  template Status avg_pool_forward<T>(const PoolGeometry&, const T*, int64_t, T*, int64_t,         \
                                      ThreadPool*);                                                \
  template Status max_pool_forward<T>(const PoolGeometry&, const T*, int64_t, T*, int32_t*,        \
                                      int64_t, ThreadPool*);                                       \
  template Status avg_pool_backward<T>(const PoolGeometry&, const T*, int64_t, T*, int64_t,        \
                                       ThreadPool*);                                               \
  template Status max_pool_backward<T>(const PoolGeometry&, const T*, const int32_t*, int64_t, T*, \
                                       int64_t, ThreadPool*);
ADAPTIVE_POOL_INSTANTIATE(float)
ADAPTIVE_POOL_INSTANTIATE(double)
#undef ADAPTIVE_POOL_INSTANTIATE

}  // namespace adaptive_pool
