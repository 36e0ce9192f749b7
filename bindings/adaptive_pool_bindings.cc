// embind layer: pointers and sizes in, an error code out ({code, message} from lastError()). No
// logic of its own: shapes are checked by plan_forward/plan_backward, buffers by the ops, windows
// come from window.h. Each call is planned once: plan() keeps the geometry for the run after it.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "adaptive_pool.h"
#include "geometry.h"
#include "parallel.h"
#include "status.h"
#include "window.h"

namespace adaptive_pool {
namespace {

using emscripten::val;

// Created once at load (the wasm worker pool was sized for it); destroyed by shutdown().
std::unique_ptr<ThreadPool> g_pool;

// Shapes come in and the planned shape goes out through this scratch array, written and read by the
// npm layer as a Float64Array (cheaper than walking JS arrays element by element through val).
constexpr int kScratchLength = 32;
double g_scratch[kScratchLength];

// The geometry of the last successful plan, kept for the run call that follows it: each call is
// planned once. `id` ties the run to its plan, so a run can never use another call's geometry.
// The shape vectors keep room for the largest rank (5) from load on and are copied into, so a kept
// plan never changes the heap in use that memoryInUse() reports.
struct Planned {
  Planned() {
    geometry.input_shape.reserve(5);
    geometry.output_shape.reserve(5);
  }
  PoolGeometry geometry;
  bool backward = false;
  int id = 0;  // 0: nothing planned, or its run is done
};
Planned g_planned;
int g_last_id = 0;
Status g_last_error;

// The npm layer has already checked that every entry is a safe integer; NaN stands for null (keep
// the input size).
std::vector<int64_t> to_sizes(const double* values, int n) {
  std::vector<int64_t> sizes(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    sizes[i] = std::isnan(values[i]) ? kKeepInputSize : static_cast<int64_t>(values[i]);
  }
  return sizes;
}

val to_status(const Status& s) {
  val result = val::object();
  result.set("code", std::string(error_code_name(s.code)));
  result.set("message", s.message);
  return result;
}

// 0 on success; otherwise the error code, and lastError() gives the code's name and the message.
int report(Status s) {
  const int code = static_cast<int>(s.code);
  g_last_error = std::move(s);
  return code;
}

template <typename T>
T* at(uintptr_t address) {
  return reinterpret_cast<T*>(address);
}

val init(int threads) {
  if (threads < 1)
    return to_status(Status::Error(ErrorCode::kArgument,
                                   "threads must be >= 1, got " + std::to_string(threads)));
  g_pool = std::make_unique<ThreadPool>(threads);
  return to_status(Status::Ok());
}

void shutdown() { g_pool.reset(); }

uintptr_t scratch_address() { return reinterpret_cast<uintptr_t>(g_scratch); }

// Read once, by the npm layer right after a failed call; cleared so its message is not kept.
val last_error() {
  const val result = to_status(g_last_error);
  g_last_error = Status::Ok();
  return result;
}

// Plans a forward (shape: input_shape, sizes: output_size) or backward (sizes: grad_output_shape)
// call from n_shape + n_sizes doubles at `values` (the scratch array, or a larger buffer). Returns
// the plan's id (> 0) and leaves the result shape (forward: output, backward: grad_input) at the
// start of the scratch array; 0 when planning failed (see lastError()).
int plan(int kind, int dims, int layout, bool backward, uintptr_t values, int n_shape,
         int n_sizes) {
  const double* v = at<const double>(values);
  const std::vector<int64_t> shape = to_sizes(v, n_shape);
  const std::vector<int64_t> sizes = to_sizes(v + n_shape, n_sizes);
  g_planned.id = 0;
  PoolGeometry g;
  const auto k = static_cast<PoolKind>(kind);
  const auto l = static_cast<Layout>(layout);
  Status s = backward ? plan_backward(k, dims, l, shape, sizes, &g)
                      : plan_forward(k, dims, l, shape, sizes, &g);
  if (!s.ok()) {
    report(std::move(s));
    return 0;
  }
  const std::vector<int64_t>& result = backward ? g.input_shape : g.output_shape;
  // Planned shapes have the rank of input_shape, which the planners limit to 5.
  for (size_t i = 0; i < result.size(); ++i) g_scratch[i] = static_cast<double>(result[i]);
  g_planned.geometry = g;  // a copy, into the reserved vectors
  g_last_id = g_last_id == 0x7fffffff ? 1 : g_last_id + 1;
  g_planned.backward = backward;
  g_planned.id = g_last_id;
  return g_last_id;
}

// The geometry planned as `id`, or null (and an error status) when that plan is not the current
// one.
const PoolGeometry* planned(int id, bool backward, const char* fn) {
  if (id <= 0 || id != g_planned.id || backward != g_planned.backward) {
    report(Status::Error(ErrorCode::kArgument,
                         std::string(fn) + ": plan " + std::to_string(id) +
                             " is not the current plan; plan each call right before running it"));
    return nullptr;
  }
  g_planned.id = 0;  // one run per plan
  return &g_planned.geometry;
}

template <typename T>
Status run_forward(const PoolGeometry& g, uintptr_t in, int64_t in_len, uintptr_t out,
                   uintptr_t indices, int64_t out_len) {
  if (g.kind == PoolKind::kAvg)
    return avg_pool_forward<T>(g, at<T>(in), in_len, at<T>(out), out_len, g_pool.get());
  return max_pool_forward<T>(g, at<T>(in), in_len, at<T>(out), at<int32_t>(indices), out_len,
                             g_pool.get());
}

// Runs the forward call planned as `id`: 0 on success, else an error code (see lastError()).
int forward(int id, bool f64, uintptr_t in, double in_len, uintptr_t out, uintptr_t indices,
            double out_len) {
  const PoolGeometry* g = planned(id, false, "forward");
  if (g == nullptr) return static_cast<int>(g_last_error.code);
  const auto n_in = static_cast<int64_t>(in_len), n_out = static_cast<int64_t>(out_len);
  return report(f64 ? run_forward<double>(*g, in, n_in, out, indices, n_out)
                    : run_forward<float>(*g, in, n_in, out, indices, n_out));
}

template <typename T>
Status run_backward(const PoolGeometry& g, uintptr_t grad_out, uintptr_t indices,
                    int64_t grad_out_len, uintptr_t grad_in, int64_t grad_in_len) {
  if (g.kind == PoolKind::kAvg)
    return avg_pool_backward<T>(g, at<T>(grad_out), grad_out_len, at<T>(grad_in), grad_in_len,
                                g_pool.get());
  return max_pool_backward<T>(g, at<T>(grad_out), at<int32_t>(indices), grad_out_len,
                              at<T>(grad_in), grad_in_len, g_pool.get());
}

// Runs the backward call planned as `id`: 0 on success, else an error code (see lastError()).
int backward(int id, bool f64, uintptr_t grad_out, uintptr_t indices, double grad_out_len,
             uintptr_t grad_in, double grad_in_len) {
  const PoolGeometry* g = planned(id, true, "backward");
  if (g == nullptr) return static_cast<int>(g_last_error.code);
  const auto n_out = static_cast<int64_t>(grad_out_len), n_in = static_cast<int64_t>(grad_in_len);
  return report(f64 ? run_backward<double>(*g, grad_out, indices, n_out, grad_in, n_in)
                    : run_backward<float>(*g, grad_out, indices, n_out, grad_in, n_in));
}

// The npm layer checks 1 <= in < 2^31 and 0 <= out < 2^31, so every bound fits int32.
void bins(double in, double out, uintptr_t start, uintptr_t end) {
  const auto n_in = static_cast<int64_t>(in), n_out = static_cast<int64_t>(out);
  for (int64_t o = 0; o < n_out; ++o) {
    at<int32_t>(start)[o] = static_cast<int32_t>(window_start(o, n_in, n_out));
    at<int32_t>(end)[o] = static_cast<int32_t>(window_end(o, n_in, n_out));
  }
}

// Bytes handed out by malloc and not yet freed: lets tests (and users) check for leaks.
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace
}  // namespace adaptive_pool

EMSCRIPTEN_BINDINGS(adaptive_pool) {
  using namespace adaptive_pool;
  emscripten::function("init", &init);
  emscripten::function("shutdown", &shutdown);
  emscripten::function("scratchAddress", &scratch_address);
  emscripten::function("lastError", &last_error);
  emscripten::function("plan", &plan);
  emscripten::function("forward", &forward);
  emscripten::function("backward", &backward);
  emscripten::function("bins", &bins);
  emscripten::function("heapInUse", &heap_in_use);
}
