// embind layer: pointers and sizes in, a {code, message} status out. No logic of its own: shapes
// are checked by plan_forward/plan_backward, buffers by the ops, windows come from window.h.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

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

// The npm layer has already checked that every entry is a safe integer or null.
std::vector<int64_t> to_sizes(const val& array) {
  const unsigned n = array["length"].as<unsigned>();
  std::vector<int64_t> sizes(n);
  for (unsigned i = 0; i < n; ++i) {
    const val v = array[i];
    sizes[i] = v.isNull() ? kKeepInputSize : static_cast<int64_t>(v.as<double>());
  }
  return sizes;
}

val to_status(const Status& s) {
  val result = val::object();
  result.set("code", std::string(error_code_name(s.code)));
  result.set("message", s.message);
  return result;
}

val to_plan(const Status& s, const std::vector<int64_t>& shape) {
  val result = to_status(s);
  if (s.ok()) {
    val dims = val::array();
    for (size_t i = 0; i < shape.size(); ++i) dims.set(i, static_cast<double>(shape[i]));
    result.set("shape", dims);
  }
  return result;
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

val plan_forward_js(int kind, int dims, int layout, val input_shape, val output_size) {
  PoolGeometry g;
  const Status s = plan_forward(static_cast<PoolKind>(kind), dims, static_cast<Layout>(layout),
                                to_sizes(input_shape), to_sizes(output_size), &g);
  return to_plan(s, g.output_shape);
}

val plan_backward_js(int kind, int dims, int layout, val input_shape, val grad_output_shape) {
  PoolGeometry g;
  const Status s = plan_backward(static_cast<PoolKind>(kind), dims, static_cast<Layout>(layout),
                                 to_sizes(input_shape), to_sizes(grad_output_shape), &g);
  return to_plan(s, g.input_shape);
}

template <typename T>
Status run_forward(const PoolGeometry& g, uintptr_t in, int64_t in_len, uintptr_t out,
                   uintptr_t indices, int64_t out_len) {
  if (g.kind == PoolKind::kAvg)
    return avg_pool_forward<T>(g, at<T>(in), in_len, at<T>(out), out_len, g_pool.get());
  return max_pool_forward<T>(g, at<T>(in), in_len, at<T>(out), at<int32_t>(indices), out_len,
                             g_pool.get());
}

val forward(int kind, int dims, int layout, bool f64, val input_shape, val output_size,
            uintptr_t in, double in_len, uintptr_t out, uintptr_t indices, double out_len) {
  PoolGeometry g;
  Status s = plan_forward(static_cast<PoolKind>(kind), dims, static_cast<Layout>(layout),
                          to_sizes(input_shape), to_sizes(output_size), &g);
  if (s.ok()) {
    const auto n_in = static_cast<int64_t>(in_len), n_out = static_cast<int64_t>(out_len);
    s = f64 ? run_forward<double>(g, in, n_in, out, indices, n_out)
            : run_forward<float>(g, in, n_in, out, indices, n_out);
  }
  return to_status(s);
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

val backward(int kind, int dims, int layout, bool f64, val input_shape, val grad_output_shape,
             uintptr_t grad_out, uintptr_t indices, double grad_out_len, uintptr_t grad_in,
             double grad_in_len) {
  PoolGeometry g;
  Status s = plan_backward(static_cast<PoolKind>(kind), dims, static_cast<Layout>(layout),
                           to_sizes(input_shape), to_sizes(grad_output_shape), &g);
  if (s.ok()) {
    const auto n_out = static_cast<int64_t>(grad_out_len), n_in = static_cast<int64_t>(grad_in_len);
    s = f64 ? run_backward<double>(g, grad_out, indices, n_out, grad_in, n_in)
            : run_backward<float>(g, grad_out, indices, n_out, grad_in, n_in);
  }
  return to_status(s);
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
  emscripten::function("planForward", &plan_forward_js);
  emscripten::function("planBackward", &plan_backward_js);
  emscripten::function("forward", &forward);
  emscripten::function("backward", &backward);
  emscripten::function("bins", &bins);
  emscripten::function("heapInUse", &heap_in_use);
}
