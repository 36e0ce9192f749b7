// libFuzzer target for the kernels: the bytes choose an op, a shape, a layout, a dtype, an ISA, a
// thread count and the values (ties, NaN and infinities where the bytes put them), and the kernels
// must pass the random test's check (tests/support/kernel_check.h: the reference's results, the
// NaN guards around the outputs intact). Built with ASan + UBSan (tests/steps/16-fuzz.sh), so it
// also stops at any access outside a buffer. The seeded tests sample fixed boundary classes;
// coverage guidance walks on to the branches they miss. Some inputs instead hand the planners raw
// shapes, which must come back as an error or a geometry, never as overflow.
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
#include "kernel_check.h"
#include "kernels/run.h"
#include "parallel.h"
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
  auto print = [](const std::vector<int64_t>& shape) {
    for (size_t i = 0; i < shape.size(); ++i) {
      std::fprintf(stderr, "%s%lld", i ? "," : "", static_cast<long long>(shape[i]));
    }
  };
  print(g.input_shape);
  std::fprintf(stderr, "] output [");
  print(g.output_shape);
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
  // Any index inside its plane is valid for the max backward: scattered ones meet in every
  // pattern of duplicates. Otherwise it scatters the reference's forward indices.
  std::vector<int32_t> anywhere;
  for (size_t i = 0; scatter_anywhere && i < static_cast<size_t>(g.output_numel()); ++i) {
    const size_t b = bytes.empty() ? 0 : bytes[(i * 7) % bytes.size()];
    anywhere.push_back(static_cast<int32_t>(b * (i + 1) % static_cast<size_t>(g.in_plane())));
  }
  const std::string mismatch = ap_test::check_kernels<T>(g, make_window_tables(g), input, grad_out,
                                                         scatter_anywhere ? &anywhere : nullptr,
                                                         isa, &pool(threads), nullptr);
  if (!mismatch.empty()) fail(mismatch, g, sizeof(T) == 4, threads, isa);
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
