// libFuzzer target for the kernels: the bytes choose an op, a shape, a layout, a dtype, an ISA, a
// thread count and the values (ties, NaN and infinities where the bytes put them), and the kernel
// must match src/reference as in tests/kernels/kernels_random_test.cc (max bit for bit, with its
// indices; average within the tolerance) and leave the NaN guards around its outputs
// intact. Built with ASan + UBSan (tests/steps/16-fuzz.sh), so it also stops at any access outside
// a buffer. The seeded tests sample fixed boundary classes; coverage guidance walks on to the
// branches they miss. Some inputs instead hand the planners raw shapes, which must come back as an
// error or a geometry, never as overflow.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "geometry.h"
#include "kernels/run.h"
#include "parallel.h"
#include "reference/reference.h"
#include "test_support.h"
#include "window_tables.h"

using namespace adaptive_pool;

namespace {

// Kept small so that one input runs in well under a millisecond.
constexpr int64_t kMaxElements = 1 << 14;

// One pool per thread count, made once: a pool per input would spend the run starting threads.
ThreadPool& pool(int threads) {
  static std::unique_ptr<ThreadPool> pools[3];
  auto& p = pools[threads - 1];
  if (!p) p = std::make_unique<ThreadPool>(threads);
  return *p;
}

[[noreturn]] void fail(const std::string& what, const PoolGeometry& g, bool f32, int threads,
                       kernels::Isa isa) {
  std::fprintf(stderr, "%s: %s%dd %s, %s, %s, %d threads, input [", what.c_str(),
               g.kind == PoolKind::kAvg ? "avg" : "max", g.spatial_dims,
               g.layout == Layout::kChannelsLast ? "channels-last" : "channels-first",
               f32 ? "float32" : "float64", kernels::isa_name(isa), threads);
  for (size_t i = 0; i < g.input_shape.size(); ++i) {
    std::fprintf(stderr, "%s%lld", i ? "," : "", static_cast<long long>(g.input_shape[i]));
  }
  std::fprintf(stderr, "] output [");
  for (size_t i = 0; i < g.output_shape.size(); ++i) {
    std::fprintf(stderr, "%s%lld", i ? "," : "", static_cast<long long>(g.output_shape[i]));
  }
  std::fprintf(stderr, "]\n");
  std::abort();
}

// A value per byte: eighths in [-4, 4) (coarse, so windows hold ties), or NaN, +inf, -inf for the
// first three byte values when specials are on.
double value_of(uint8_t b, bool specials) {
  if (specials && b < 3) {
    const double s[3] = {std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity()};
    return s[b];
  }
  return static_cast<double>(static_cast<int>(b % 64) - 32) / 8.0;
}

template <typename T>
void check(const PoolGeometry& g, const std::vector<uint8_t>& bytes, bool specials,
           bool scatter_anywhere, kernels::Isa isa, int threads) {
  const bool f32 = sizeof(T) == 4;
  const WindowTables w = make_window_tables(g);
  auto values = [&](int64_t n, size_t salt) {
    std::vector<T> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<T>(bytes.empty() ? 0.0
                                          : value_of(bytes[(i + salt) % bytes.size()], specials));
    }
    return v;
  };
  const std::vector<T> input = values(g.input_numel(), 0);
  std::vector<T> grad_out = values(g.output_numel(), 7);
  for (T& x : grad_out) x = std::isfinite(x) ? x : T(1);  // gradients stay finite

  std::vector<T> ref_out(static_cast<size_t>(g.output_numel()));
  std::vector<int32_t> ref_idx(static_cast<size_t>(g.output_numel()));
  std::vector<T> ref_grad(static_cast<size_t>(g.input_numel()));
  std::vector<int32_t> bwd_idx;  // the max backward's indices
  if (g.kind == PoolKind::kAvg) {
    reference::avg_forward(g, w, input.data(), ref_out.data());
    reference::avg_backward(g, w, grad_out.data(), ref_grad.data());
  } else {
    reference::max_forward(g, w, input.data(), ref_out.data(), ref_idx.data());
    bwd_idx = ref_idx;
    // Any index inside its plane is valid: scattered ones meet in every pattern of duplicates.
    for (size_t i = 0; scatter_anywhere && i < bwd_idx.size(); ++i) {
      const size_t b = bytes.empty() ? 0 : bytes[(i * 7) % bytes.size()];
      bwd_idx[i] = static_cast<int32_t>(b * (i + 1) % static_cast<size_t>(g.in_plane()));
    }
    reference::max_backward(g, w, grad_out.data(), bwd_idx.data(), ref_grad.data());
  }

  kernels::RunOptions opt;
  opt.isa = isa;
  opt.min_chunk_elements = 1;  // split even tiny shapes across the pool's threads
  ap_test::Guarded<T> out(g.output_numel()), grad(g.input_numel());
  ap_test::Guarded<int32_t> idx(g.output_numel());
  ThreadPool& p = pool(threads);
  if (g.kind == PoolKind::kAvg) {
    kernels::run_avg_forward(g, w, input.data(), out.data(), &p, opt);
    kernels::run_avg_backward(g, w, grad_out.data(), grad.data(), &p, opt);
  } else {
    kernels::run_max_forward(g, w, input.data(), out.data(), idx.data(), &p, opt);
    kernels::run_max_backward(g, w, grad_out.data(), bwd_idx.data(), grad.data(), &p, opt);
  }
  if (!out.guards_intact() || !grad.guards_intact() || !idx.guards_intact()) {
    fail("a guard region was written", g, f32, threads, isa);
  }
  const double fwd_tol = ap_test::avg_tolerance<T>(ap_test::max_abs(input));
  const double bwd_tol = ap_test::avg_tolerance<T>(ap_test::max_abs(grad_out));
  for (int64_t i = 0; i < g.output_numel(); ++i) {
    const size_t k = static_cast<size_t>(i);
    const bool ok = g.kind == PoolKind::kAvg
                        ? ap_test::close_value(out[i], ref_out[k], fwd_tol)
                        : ap_test::same_value(out[i], ref_out[k]) && idx[i] == ref_idx[k];
    if (!ok) {
      const bool max = g.kind == PoolKind::kMax;
      fail("output " + std::to_string(i) + ": got " + std::to_string(out[i]) +
               (max ? " (index " + std::to_string(idx[i]) + ")" : "") + ", expected " +
               std::to_string(ref_out[k]) +
               (max ? " (index " + std::to_string(ref_idx[k]) + ")" : ""),
           g, f32, threads, isa);
    }
  }
  for (int64_t i = 0; i < g.input_numel(); ++i) {
    const size_t k = static_cast<size_t>(i);
    const bool ok = g.kind == PoolKind::kAvg ? ap_test::close_value(grad[i], ref_grad[k], bwd_tol)
                                             : ap_test::same_value(grad[i], ref_grad[k]);
    if (!ok) {
      fail("grad_input " + std::to_string(i) + ": got " + std::to_string(grad[i]) + ", expected " +
               std::to_string(ref_grad[k]),
           g, f32, threads, isa);
    }
  }
}

// Raw shapes for the planners: any int64 values, including negative, huge and overflowing ones.
void plan_raw(FuzzedDataProvider& in) {
  const PoolKind kind = in.ConsumeBool() ? PoolKind::kMax : PoolKind::kAvg;
  const int dims = in.ConsumeIntegralInRange(0, 4);
  const Layout layout = in.ConsumeBool() ? Layout::kChannelsLast : Layout::kChannelsFirst;
  std::vector<int64_t> shape(in.ConsumeIntegralInRange<size_t>(0, 6)),
      out(in.ConsumeIntegralInRange<size_t>(0, 4));
  for (int64_t& v : shape) v = in.ConsumeIntegral<int64_t>();
  for (int64_t& v : out) v = in.ConsumeIntegral<int64_t>();
  PoolGeometry g;
  if (plan_forward(kind, dims, layout, shape, out, &g).ok() && !geometry_consistent(g)) {
    std::fprintf(stderr, "plan_forward accepted a geometry it calls inconsistent\n");
    std::abort();
  }
  if (plan_backward(kind, dims, layout, shape, out, &g).ok() && !geometry_consistent(g)) {
    std::fprintf(stderr, "plan_backward accepted a geometry it calls inconsistent\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeIntegralInRange(0, 7) == 0) {
    plan_raw(in);
    return 0;
  }
  const PoolKind kind = in.ConsumeBool() ? PoolKind::kMax : PoolKind::kAvg;
  const int dims = in.ConsumeIntegralInRange(1, 3);
  const Layout layout = in.ConsumeBool() ? Layout::kChannelsLast : Layout::kChannelsFirst;
  const int64_t channels = in.ConsumeIntegralInRange<int64_t>(1, 20);
  const bool batched = in.ConsumeBool();
  const int64_t batch = in.ConsumeIntegralInRange<int64_t>(0, 3);
  std::vector<int64_t> spatial, output;
  for (int a = 0; a < dims; ++a) {
    const int64_t n = in.ConsumeIntegralInRange<int64_t>(1, dims == 3 ? 12 : 48);
    spatial.push_back(n);
    output.push_back(in.ConsumeIntegralInRange<int64_t>(0, 2 * n + 2));
  }
  const bool f32 = in.ConsumeBool(), specials = in.ConsumeBool(), anywhere = in.ConsumeBool();
  const kernels::Isa isa =
      in.ConsumeBool() && kernels::simd_available() ? kernels::Isa::kSimd : kernels::Isa::kScalar;
  const int threads = in.ConsumeIntegralInRange(1, 3);
  const std::vector<uint8_t> bytes = in.ConsumeRemainingBytes<uint8_t>();

  std::vector<int64_t> shape;
  if (batched) shape.push_back(batch);
  if (layout == Layout::kChannelsFirst) shape.push_back(channels);
  shape.insert(shape.end(), spatial.begin(), spatial.end());
  if (layout == Layout::kChannelsLast) shape.push_back(channels);
  PoolGeometry g;
  if (!plan_forward(kind, dims, layout, shape, output, &g).ok()) return 0;
  if (g.input_numel() > kMaxElements || g.output_numel() > kMaxElements) return 0;
  if (f32) {
    check<float>(g, bytes, specials, anywhere, isa, threads);
  } else {
    check<double>(g, bytes, specials, anywhere, isa, threads);
  }
  return 0;
}
