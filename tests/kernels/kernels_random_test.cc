// Every kernel (SIMD and scalar twin, both dtypes, both layouts, 1d/2d/3d) against the reference
// loops on seeded random shapes, with thread counts 1..4 that must give bit-identical results and
// NaN-poisoned guard regions that must stay untouched. Shapes cover the boundary classes: channels
// 1..9 (below, at and above a vector), output 1 (global), output = input, output > input,
// in - 1 (sliding windows), divisible and non-divisible sizes, kh != kw. Values are mostly eighths,
// whose sums are exact; a third of the random configs use full mantissas, so that the bit-for-bit
// comparison across thread counts also sees the order of additions.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_check.h"
#include "kernels/run.h"
#include "parallel.h"
#include "reference/reference.h"
#include "test_support.h"
#include "window_tables.h"

using namespace adaptive_pool;
using ap_test::Guarded;
using ap_test::KernelResults;
using kernels::Isa;
using kernels::RunOptions;

namespace {

struct Config {
  PoolKind kind;
  int dims;
  Layout layout;
  std::vector<int64_t> input_shape;
  std::vector<int64_t> output_size;
  uint32_t seed;
  bool specials;
  size_t special_spread = 11;  // add_specials' spread
  // Values with full mantissas instead of grid_values' eighths: sums then round, so a kernel that
  // added in another order on another thread split would show in the bit-for-bit comparison.
  bool inexact = false;

  std::string describe() const {
    std::ostringstream s;
    s << (kind == PoolKind::kAvg ? "avg" : "max") << dims << "d "
      << (layout == Layout::kChannelsLast ? "channels-last" : "channels-first") << " input [";
    for (size_t i = 0; i < input_shape.size(); ++i) s << (i ? "," : "") << input_shape[i];
    s << "] output_size [";
    for (size_t i = 0; i < output_size.size(); ++i) s << (i ? "," : "") << output_size[i];
    s << "] seed " << seed << (specials ? " with NaN/inf" : "") << (inexact ? " inexact" : "");
    return s.str();
  }
};

// An output size for an axis of length n, drawn from the boundary classes.
int64_t pick_out(std::mt19937& rng, int64_t n) {
  switch (rng() % 8) {
    case 0:
      return 1;
    case 7: {  // divisible: equal windows side by side (n / 2, n / 3, n / 4)
      const int64_t k = 2 + static_cast<int64_t>(rng() % 3);
      if (n % k == 0) return n / k;
      return n;
    }
    case 1:
      return n;
    case 2:
      return n > 1 ? n - 1 : 1;
    case 3:
      return n + 1 + static_cast<int64_t>(rng() % 4);
    case 4:
      return 2 * n;
    default:
      return 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(n));
  }
}

Config random_config(uint32_t seed) {
  std::mt19937 rng(seed);
  Config c;
  c.seed = seed;
  c.kind = rng() % 2 ? PoolKind::kMax : PoolKind::kAvg;
  c.dims = 1 + static_cast<int>(rng() % 3);
  c.layout = rng() % 2 ? Layout::kChannelsLast : Layout::kChannelsFirst;
  c.specials = rng() % 3 == 0;
  const int64_t channels = 1 + static_cast<int64_t>(rng() % 9);
  const bool batched = rng() % 3 != 0;
  std::vector<int64_t> spatial;
  for (int a = 0; a < c.dims; ++a) {
    // Long rows sometimes (SIMD inside one window, many vectors per row), short ones mostly.
    const uint32_t max_len = (a == c.dims - 1 && rng() % 3 == 0) ? 70 : (c.dims == 3 ? 7 : 17);
    spatial.push_back(1 + static_cast<int64_t>(rng() % max_len));
  }
  if (batched) c.input_shape.push_back(static_cast<int64_t>(rng() % 3));
  if (c.layout == Layout::kChannelsFirst) c.input_shape.push_back(channels);
  for (int64_t n : spatial) c.input_shape.push_back(n);
  if (c.layout == Layout::kChannelsLast) c.input_shape.push_back(channels);
  for (int64_t n : spatial) c.output_size.push_back(pick_out(rng, n));
  c.inexact = seed % 3 == 1;  // (not drawn from rng, so the shapes stay those of earlier runs)
  return c;
}

// n values in [-4, 4) with full mantissas (seeded).
std::vector<double> full_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-4, 4);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = u(rng);
  return v;
}

// Empty when a and b hold the same bits, else the first element that differs.
// NaNs count as equal whatever their bits: WebAssembly leaves the payload and sign of a NaN that
// arithmetic produces unspecified, and V8's two wasm compilers do pick different operands' bits
// when two NaNs meet in an add, so the same code gives -nan or nan depending on which tier runs it
// (seen at 1 vs 2 threads). Every other value, signed zeros included, must match bit for bit.
template <typename T>
std::string bit_difference(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return "sizes differ";
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
      std::ostringstream s;
      s << "element " << i << ": " << a[i] << " vs " << b[i] << " at one thread";
      return s.str();
    }
  }
  return "";
}

// Runs one config through one ISA on `pool` and checks it against the reference (and against the
// one-thread results, `first`, which every other thread count must reproduce bit for bit).
template <typename T>
void check_config(const Config& c, Isa isa, ThreadPool& pool, KernelResults<T>* first) {
  INFO(c.describe() << (sizeof(T) == 4 ? " float32 " : " float64 ") << kernels::isa_name(isa)
                    << " threads " << pool.threads());
  PoolGeometry g;
  Status st = plan_forward(c.kind, c.dims, c.layout, c.input_shape, c.output_size, &g);
  REQUIRE(st.ok());
  const WindowTables w = make_window_tables(g);

  auto make_values = [&](int64_t n, uint32_t seed) {
    return c.inexact ? full_values(n, seed) : ap_test::grid_values(n, seed);
  };
  std::vector<double> values = make_values(g.input_numel(), c.seed);
  if (c.specials) ap_test::add_specials(&values, c.special_spread);
  const std::vector<T> input = ap_test::cast_to<T>(values);
  const std::vector<T> grad_out = ap_test::cast_to<T>(make_values(g.output_numel(), c.seed + 7));
  KernelResults<T> run;
  const std::string mismatch =
      ap_test::check_kernels(g, w, input, grad_out, nullptr, isa, &pool, &run);
  if (!mismatch.empty()) FAIL(mismatch);
  if (pool.threads() == 1) {
    *first = std::move(run);
  } else {
    REQUIRE(bit_difference(run.out, first->out) == "");
    REQUIRE(bit_difference(run.grad, first->grad) == "");
    if (c.kind == PoolKind::kMax) REQUIRE(run.idx == first->idx);
  }
}

std::vector<Isa> isas() {
  std::vector<Isa> v{Isa::kScalar};
  if (kernels::simd_available()) v.push_back(Isa::kSimd);
  return v;
}

// Thread counts outermost, one pool alive at a time (the wasm test build pre-creates 4 workers).
void check_all(const std::vector<Config>& configs) {
  const size_t runs = configs.size() * isas().size();
  std::vector<KernelResults<float>> first_f(runs);
  std::vector<KernelResults<double>> first_d(runs);
  for (int threads = 1; threads <= 4; ++threads) {
    ThreadPool pool(threads);
    size_t r = 0;
    for (const Config& c : configs) {
      for (Isa isa : isas()) {
        check_config<float>(c, isa, pool, &first_f[r]);
        check_config<double>(c, isa, pool, &first_d[r]);
        ++r;
      }
    }
  }
}

// A 2d config of two images of `channels` channels in the given layout.
Config config_2d(PoolKind kind, Layout layout, int64_t channels,
                 const std::pair<std::vector<int64_t>, std::vector<int64_t>>& shape,
                 uint32_t seed) {
  Config c;
  c.kind = kind;
  c.dims = 2;
  c.layout = layout;
  c.seed = seed;
  c.specials = false;
  c.input_shape = layout == Layout::kChannelsFirst
                      ? std::vector<int64_t>{2, channels, shape.first[0], shape.first[1]}
                      : std::vector<int64_t>{2, shape.first[0], shape.first[1], channels};
  c.output_size = shape.second;
  return c;
}

// A channels-first config, its rank taken from output_size, with NaN and inf `spread` apart.
Config config_first(PoolKind kind, std::vector<int64_t> input_shape,
                    std::vector<int64_t> output_size, uint32_t seed, size_t spread) {
  Config c;
  c.kind = kind;
  c.dims = static_cast<int>(output_size.size());
  c.layout = Layout::kChannelsFirst;
  c.seed = seed;
  c.specials = true;
  c.special_spread = spread;
  c.input_shape = std::move(input_shape);
  c.output_size = std::move(output_size);
  return c;
}

}  // namespace

TEST_CASE("random shapes: every kernel matches the reference at 1..4 threads", "[kernels]") {
  std::vector<Config> configs;
  for (uint32_t seed = 1; seed <= 300; ++seed) configs.push_back(random_config(seed));
  check_all(configs);
}

TEST_CASE("boundary classes in every layout and rank", "[kernels]") {
  // kh != kw, C % 4 != 0: the shape of PyTorch's own channels-last backward bug. The last two: W
  // windows of 4 and more, four and more of them (the max merge's unmasked path), W a multiple of
  // 16 and not (pass 1's overlapping tail block).
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{13, 17}, {7, 7}},   {{13, 17}, {1, 1}}, {{9, 9}, {9, 9}},   {{5, 5}, {7, 7}},
      {{8, 64}, {16, 128}}, {{6, 40}, {5, 39}}, {{14, 14}, {7, 7}}, {{11, 90}, {3, 3}},
      {{7, 3}, {4, 2}},     {{1, 1}, {3, 2}},   {{20, 33}, {6, 4}}, {{3, 81}, {2, 80}},
      {{6, 64}, {2, 8}},    {{5, 70}, {3, 9}},
  };
  uint32_t seed = 1000;
  std::vector<Config> configs;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {1, 3, 4, 5, 8, 9}) {
      for (Layout layout : {Layout::kChannelsFirst, Layout::kChannelsLast}) {
        for (PoolKind kind : {PoolKind::kAvg, PoolKind::kMax}) {
          Config c = config_2d(kind, layout, channels, s, ++seed);
          c.specials = seed % 2 == 0;
          configs.push_back(c);
        }
      }
    }
  }
  check_all(configs);
}

TEST_CASE("max backward of few channels-last images with many channels", "[kernels]") {
  // One or two images of 16 to 70 channels at 1..4 threads (whole images per thread, chunks of
  // them zeroed at once): shrinking, growing and overlapping windows, so an element can receive
  // several gradients, each in output order.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{5, 7}, {3, 4}}, {{3, 4}, {7, 9}}, {{6, 6}, {5, 5}}, {{4, 9}, {1, 1}}};
  uint32_t seed = 3000;
  std::vector<Config> configs;
  for (const auto& s : shapes) {
    for (int64_t channels : {16, 32, 40, 70}) {
      for (int64_t batch : {1, 2}) {
        Config c = config_2d(PoolKind::kMax, Layout::kChannelsLast, channels, s, ++seed);
        c.input_shape[0] = batch;
        c.specials = seed % 2 == 0;
        configs.push_back(c);
      }
    }
  }
  check_all(configs);
}

TEST_CASE("sums round the same way on every thread split", "[kernels]") {
  // Values whose sums round, on shapes where one output row takes another path depending on what
  // is next to it in its thread's range: windows that share a row run pass 1 as a pair, which
  // must add in the order the row alone would. H windows of 6, 7, 6 rows, where 6 rows take the
  // channels-last direct sums (from 8 channels of float64, 16 of float32); 2, 3, 2 rows with
  // sliding W windows, where 2 rows take the fused sliding sums; windows of 6 and 7 rows sharing
  // one, as image-1080p's do, with rows summed across; small planes in groups, rows first and W
  // first.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{17, 17}, {3, 7}}, {{5, 600}, {3, 599}}, {{27, 300}, {5, 31}},
      {{13, 17}, {7, 7}}, {{5, 5}, {7, 7}},     {{17, 40}, {3, 39}},
  };
  std::vector<Config> configs;
  uint32_t seed = 3000;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {1, 3, 8, 17}) {
      for (Layout layout : {Layout::kChannelsFirst, Layout::kChannelsLast}) {
        Config c = config_2d(PoolKind::kAvg, layout, channels, s, ++seed);
        c.inexact = true;
        configs.push_back(c);
      }
    }
  }
  check_all(configs);
}

TEST_CASE("3d pass 1 goes slice by slice, in bands of output rows", "[kernels]") {
  // D windows of two slices or more (overlapping or not), planes too large for plane groups; rows
  // of 16 vectors and more (summed across) and fewer (in blocks), and rows wide enough that a band
  // holds fewer output rows than OH, so a thread's range starts and ends inside a D window. Max
  // with NaN (specials) reruns a window by the exact rule after its band's pass.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes3d = {
      {{16, 14, 14}, {4, 2, 2}},  {{7, 9, 70}, {3, 4, 9}},    {{5, 20, 600}, {2, 15, 7}},
      {{4, 6, 300}, {3, 6, 300}}, {{6, 30, 520}, {4, 13, 5}},
  };
  std::vector<Config> configs;
  uint32_t seed = 2000;
  for (const auto& s : shapes3d) {
    for (int64_t channels : {1, 3}) {
      for (PoolKind kind : {PoolKind::kAvg, PoolKind::kMax}) {
        // NaN and inf 997 apart: most windows clean in some slices, not in others.
        Config c = config_first(kind, {channels, s.first[0], s.first[1], s.first[2]}, s.second,
                                ++seed, 997);
        c.specials = channels == 3;
        configs.push_back(c);
      }
    }
  }
  check_all(configs);
}

TEST_CASE("windows read in pairs keep each half of the vector they share", "[kernels]") {
  // Average windows of one length k tiling the row, k = n L or n L + L / 2 for float32 or float64
  // lanes (audio's 3000 -> 100), n from 2 to 8 (counted at compile time) and beyond (at run time),
  // with 4, 7 and 9 outputs (the last two leave windows past the pairs); a NaN or inf about every
  // other window, moving through every offset, so that one in a shared vector shows if it leaks
  // into the neighbour's half. Then the same W windows in pass 2 of a 2d average (H windows that
  // overlap), and rows too long for plane groups.
  std::vector<Config> configs;
  uint32_t seed = 4000;
  auto add = [&](std::vector<int64_t> input_shape, std::vector<int64_t> output_size, int64_t k) {
    Config c = config_first(PoolKind::kAvg, std::move(input_shape), std::move(output_size), ++seed,
                            static_cast<size_t>(2 * k + 1));
    c.inexact = seed % 2 == 0;
    configs.push_back(c);
  };
  for (int64_t k : {4, 5, 8, 9, 10, 12, 14, 15, 30, 32, 34, 36, 38, 40, 42}) {
    for (int64_t ow : {4, 7, 9}) add({1, 3, k * ow}, {ow}, k);
    add({1, 2, 7, k * 5}, {3, 5}, k);
  }
  add({5, 3000}, {100}, 30);
  add({2, 2, 3, 2880}, {2, 90}, 32);
  check_all(configs);
}

TEST_CASE("pass 1 of two or three output rows at once", "[kernels]") {
  // Average windows of 4 to 9 rows along H that share a row with the next one (H / OH no integer),
  // on planes the row kernels take (one channel: two planes, too few for the plane groups; with
  // three, the average's groups take them, run.cc): pairs of windows of 2 to 8 rows, and in float32
  // triples of 4 to 8, are summed in one pass; an 8-row window next to a 9-row one takes one row at
  // a time (31 -> 4 and 50 -> 7: a dispatch that claimed such a pair done left its rows unwritten).
  // Rows whose length is no multiple of two vectors end in the scalar tail; thread splits start
  // ranges inside a group. Both layouts (channels-last rows are W * C long).
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{29, 90}, {6, 9}}, {{40, 90}, {7, 5}},   {{23, 101}, {5, 7}}, {{31, 95}, {4, 3}},
      {{50, 90}, {7, 6}}, {{17, 130}, {4, 13}}, {{60, 88}, {11, 8}},
  };
  std::vector<Config> configs;
  uint32_t seed = 5300;
  for (const auto& s : shapes2d) {
    for (Layout layout : {Layout::kChannelsFirst, Layout::kChannelsLast}) {
      for (int64_t channels : {1, 3}) {
        Config c = config_2d(PoolKind::kAvg, layout, channels, s, ++seed);
        c.specials = seed % 2 == 0;
        c.special_spread = 997;
        c.inexact = seed % 3 == 0;
        configs.push_back(c);
      }
    }
  }
  check_all(configs);
}

TEST_CASE("W windows of whole vectors and a masked rest, several output rows at once",
          "[kernels]") {
  // Channels-first float32 windows along W of L n + 1 .. L n + L columns, n = 1, 2, 3 (61 -> 9:
  // 7-8 columns, 86 -> 9: 10-11, 131 -> 10: 14-15) go through one loop per vector count for the
  // rows of a pass-1 group together, each window's last vector masked: the groups up to the first
  // one whose masked load would leave the row, the rest (and the windows past a multiple of four:
  // 100 -> 11) the general loop. Windows of 9-10 rows (35 -> 4) and one output row per image
  // (30 -> 1) run it for a row alone. One channel gives the row kernels (two planes, too few for
  // the plane groups); three give the average's groups.
  // Specials next to the windows catch lanes the mask lets through.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{40, 61}, {6, 9}},   {{40, 86}, {6, 9}}, {{40, 131}, {7, 10}},
      {{23, 100}, {5, 11}}, {{35, 64}, {4, 7}}, {{30, 86}, {1, 9}},
  };
  std::vector<Config> configs;
  uint32_t seed = 5600;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {1, 3}) {
      Config c = config_2d(PoolKind::kAvg, Layout::kChannelsFirst, channels, s, ++seed);
      c.specials = seed % 2 == 0;
      c.special_spread = 97;
      c.inexact = seed % 3 == 0;
      configs.push_back(c);
    }
  }
  check_all(configs);
}

TEST_CASE("windows that tile large planes go straight from the planes", "[kernels]") {
  // Planes past the plane-group size whose windows tile H and W: W windows of 1, 2 or 4 with H
  // windows up to 4 rows take the uniform kernels, the others (H windows of 8, W of 3) the row
  // kernels (the average's groups with three channels); output rows that are not a whole number
  // of vectors, and 1d rows.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{64, 80}, {32, 40}}, {{64, 80}, {16, 20}}, {{64, 80}, {64, 20}}, {{60, 80}, {20, 80}},
      {{64, 44}, {32, 11}}, {{64, 96}, {8, 32}},  {{48, 90}, {12, 45}},
  };
  std::vector<Config> configs;
  uint32_t seed = 5000;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {1, 3}) {
      for (PoolKind kind : {PoolKind::kAvg, PoolKind::kMax}) {
        Config c = config_2d(kind, Layout::kChannelsFirst, channels, s, ++seed);
        c.specials = seed % 2 == 0;
        c.special_spread = 997;  // most windows clean, some not
        c.inexact = seed % 3 == 0;
        configs.push_back(c);
      }
    }
  }
  for (PoolKind kind : {PoolKind::kAvg, PoolKind::kMax}) {
    configs.push_back(config_first(kind, {3, 4002}, {2001}, ++seed, 997));
  }
  check_all(configs);
}

TEST_CASE("output rows of one input row, and backward W windows expanded by stores", "[kernels]") {
  // Channels-first average, planes too large for the plane groups. Forward: H kept or grown by a
  // whole factor, and 1d, so every output row reads one input row (avg_single_rows in
  // avgpool_fwd_nchw.cc), W windows growing, shrinking or sliding. Backward: W shrunk so that
  // windows share one position (1920 -> 224 in small), windows of exactly 8 vectors and, past
  // them, longer ones (expand_by_stores and expand_row in avgpool_bwd_nchw.cc); the expanded rows'
  // slack under ASan.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{30, 70}, {60, 140}}, {{30, 70}, {90, 23}}, {{50, 250}, {50, 31}},
      {{45, 200}, {7, 23}},  {{3, 700}, {6, 699}},
  };
  std::vector<Config> configs;
  uint32_t seed = 7000;
  for (const auto& s : shapes2d) {
    Config c = config_2d(PoolKind::kAvg, Layout::kChannelsFirst, 3, s, ++seed);
    c.specials = seed % 2 == 0;
    c.special_spread = 997;
    c.inexact = seed % 3 == 0;
    configs.push_back(c);
  }
  for (int64_t out : {100, 90, 2999}) {  // windows of 30 positions (8 vectors), 34, 2
    configs.push_back(config_first(PoolKind::kAvg, {3, 3000}, {out}, ++seed, 997));
  }
  check_all(configs);
}

TEST_CASE("windows that tile small planes: output rows of one or two vectors unrolled",
          "[kernels]") {
  // Small planes whose windows tile H and W take the uniform kernels, one function per window size
  // and, for output rows of one or two vectors, per vector count: rows of exactly one vector (8 ->
  // 4 in float32), of two with the second overlapping the first (14 -> 7: outputs 3..6 written
  // twice), of two whole ones (16 -> 8), narrower than a vector (6 -> 3 in float32) and wider than
  // two (28 -> 14); float64's two lanes move each shape to another of these classes. W windows of
  // 1, 2, 4 and 3 (through memory), H windows of 1 to 3 rows.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{8, 8}, {4, 4}},     {{14, 14}, {7, 7}}, {{16, 16}, {8, 8}}, {{6, 6}, {3, 3}},
      {{28, 28}, {14, 14}}, {{9, 7}, {3, 7}},   {{4, 16}, {4, 4}},  {{6, 12}, {2, 4}},
      {{10, 24}, {5, 6}},   {{12, 10}, {6, 5}},
  };
  std::vector<Config> configs;
  uint32_t seed = 5500;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {1, 5, 9}) {
      for (PoolKind kind : {PoolKind::kAvg, PoolKind::kMax}) {
        Config c = config_2d(kind, Layout::kChannelsFirst, channels, s, ++seed);
        c.specials = seed % 2 == 0;
        c.inexact = seed % 3 == 0;
        configs.push_back(c);
      }
    }
  }
  check_all(configs);
}

TEST_CASE("max keeps PyTorch's NaN and tie rules across merged columns", "[kernels]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  // One 3x8 plane pooled to 1x2 (windows 3x4): pass 1 keeps a maximum per column, pass 2 must
  // still pick what a row-major scan picks.
  struct Case {
    std::vector<float> plane;
    int32_t expect[2];
  };
  const std::vector<Case> cases = {
      // Ties: the maximum 5 appears at (0,3) and (1,0): the first in row-major order wins.
      {{0, 0, 0, 5, 1, 1, 1, 1, 5, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1}, {3, 4}},
      // NaN in two columns: the last NaN in row-major order (row 2) wins over the one in row 1.
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, nan, 0, 0, 0, 0, 0, nan, 0, 0, 0, 0, 0, 0}, {17, 4}},
      {{0, 0, 0, 0, 0, 0, 0, 0, nan, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {8, 4}},
      // All -inf: the window's first position.
      {{-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf,
        -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf},
       {0, 4}},
      // -0 and +0 compare equal: the first one wins.
      {{-1, -1,    -1, -1, -1, -1, -1, -1, -1, -1, 0,  -1,
        -1, -0.0f, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
       {10, 13}},
  };
  for (const Case& k : cases) {
    PoolGeometry g;
    REQUIRE(plan_forward(PoolKind::kMax, 2, Layout::kChannelsFirst, {1, 3, 8}, {1, 2}, &g).ok());
    const WindowTables w = make_window_tables(g);
    for (Isa isa : isas()) {
      RunOptions opt;
      opt.isa = isa;
      float out[2];
      int32_t idx[2];
      kernels::run_max_forward(g, w, k.plane.data(), out, idx, nullptr, opt);
      CHECK(idx[0] == k.expect[0]);
      CHECK(idx[1] == k.expect[1]);
    }
  }
}

TEST_CASE("max merge without NaN keeps ties, signed zeros and infinities exact", "[kernels]") {
  // Rows of 4 columns and more without NaN take the merge that finds a window's maximum first and
  // then its first position. Few distinct values make ties across columns common; -0 and +0
  // compare equal, so the first in row-major order wins and its sign must survive.
  const float inf = std::numeric_limits<float>::infinity();
  const float pool[] = {-0.0f, 0.0f, -1.0f, 1.0f, -inf, inf};
  std::mt19937 rng(7);
  for (int trial = 0; trial < 120; ++trial) {
    const int64_t H = 1 + static_cast<int64_t>(rng() % 5),
                  W = 4 + static_cast<int64_t>(rng() % 100);
    // By turns windows of about 1-3 columns (masked), 4-12 (three blocks), 13-32 and 33-100 (a
    // loop over blocks).
    const int64_t lo[] = {1, 4, 13, 33}, hi[] = {3, 12, 32, 100};
    const int64_t k =
        lo[trial % 4] + static_cast<int64_t>(rng() % (hi[trial % 4] - lo[trial % 4] + 1));
    const int64_t OW = std::max<int64_t>(1, W / k);
    const int64_t distinct = trial % 2 ? 2 : 6;  // signed zeros only, or all six
    // Windows that start past row 0 too: the lanes past a short window (the next window, or the
    // padding, whose rows read as 0) must not pass for its columns when all of them hold -inf.
    const int64_t OH = 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(H));
    PoolGeometry g;
    REQUIRE(plan_forward(PoolKind::kMax, 2, Layout::kChannelsFirst, {2, H, W}, {OH, OW}, &g).ok());
    const WindowTables w = make_window_tables(g);
    std::vector<float> plane(static_cast<size_t>(g.input_numel()));
    for (float& x : plane) x = pool[rng() % distinct];
    std::vector<float> want(static_cast<size_t>(g.output_numel()));
    std::vector<int32_t> want_idx(want.size());
    reference::max_forward(g, w, plane.data(), want.data(), want_idx.data());
    for (Isa isa : isas()) {
      INFO("H " << H << " W " << W << " OH " << OH << " OW " << OW << " "
                << kernels::isa_name(isa));
      RunOptions opt;
      opt.isa = isa;
      std::vector<float> out(want.size());
      std::vector<int32_t> idx(want.size());
      kernels::run_max_forward(g, w, plane.data(), out.data(), idx.data(), nullptr, opt);
      CHECK(idx == want_idx);
      CHECK(bit_difference(out, want) == "");
    }
  }
}

TEST_CASE("max pass 1 sees a NaN in any row of a window, the first row included", "[kernels]") {
  // One plane (too few for plane groups), windows of several rows, NaN of either sign sparse
  // enough that most windows hold none or one: pass 1 assumes no NaN and must notice every one,
  // including a NaN in a window's first row, which the compare-and-max rule alone would keep as
  // its maximum and a later NaN in the same column could not replace. W from 1 covers planes
  // narrower than a vector.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t H = 2 + static_cast<int64_t>(rng() % 7), W = 1 + static_cast<int64_t>(rng() % 40);
    const int64_t OH = 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(H));
    // Every fourth trial one or two windows, most of them longer than 32 columns.
    const int64_t OW = 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(trial % 4 ? W : 2));
    PoolGeometry g;
    REQUIRE(plan_forward(PoolKind::kMax, 2, Layout::kChannelsFirst, {1, H, W}, {OH, OW}, &g).ok());
    const WindowTables w = make_window_tables(g);
    std::vector<double> values(static_cast<size_t>(g.input_numel()));
    for (double& x : values) {
      const uint32_t r = rng() % 64;
      x = r == 0 ? nan : r == 1 ? -nan : static_cast<double>(rng() % 9);
    }
    std::vector<float> want_f(static_cast<size_t>(g.output_numel()));
    std::vector<int32_t> want_fi(want_f.size());
    std::vector<double> want_d(want_f.size());
    std::vector<int32_t> want_di(want_f.size());
    const std::vector<float> plane_f = ap_test::cast_to<float>(values);
    reference::max_forward(g, w, plane_f.data(), want_f.data(), want_fi.data());
    reference::max_forward(g, w, values.data(), want_d.data(), want_di.data());
    for (Isa isa : isas()) {
      INFO("H " << H << " W " << W << " -> " << OH << "x" << OW << " " << kernels::isa_name(isa));
      RunOptions opt;
      opt.isa = isa;
      std::vector<float> out_f(want_f.size());
      std::vector<double> out_d(want_f.size());
      std::vector<int32_t> idx(want_f.size());
      kernels::run_max_forward(g, w, plane_f.data(), out_f.data(), idx.data(), nullptr, opt);
      CHECK(idx == want_fi);
      CHECK(bit_difference(out_f, want_f) == "");
      kernels::run_max_forward(g, w, values.data(), out_d.data(), idx.data(), nullptr, opt);
      CHECK(idx == want_di);
      CHECK(bit_difference(out_d, want_d) == "");
    }
  }
}

TEST_CASE("average plane groups on planes past the small-plane size", "[kernels]") {
  // Planes of 2048 to 16384 elements (input plus output) with rows of at most 128 go to the
  // average's plane groups (run.cc's kAvgGroupPlane) when four or more: shrinking to a few
  // outputs, growing by 1.5x (the forward's groups interleave whole planes then), one short of the
  // input (backward only; the forward keeps its sliding loop), rows narrower than a vector, and
  // groups left partial by 5 or 9 channels; rows of 1000 stay on the row kernels. Both layouts, so
  // channels-last runs the same shapes through its own kernels.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes2d = {
      {{56, 56}, {5, 5}},   {{40, 60}, {60, 90}}, {{100, 13}, {99, 12}},
      {{30, 70}, {29, 69}}, {{1000, 3}, {7, 2}},  {{3, 1000}, {2, 7}},
  };
  std::vector<Config> configs;
  uint32_t seed = 6000;
  for (const auto& s : shapes2d) {
    for (int64_t channels : {5, 9}) {
      for (Layout layout : {Layout::kChannelsFirst, Layout::kChannelsLast}) {
        Config c = config_2d(PoolKind::kAvg, layout, channels, s, ++seed);
        c.specials = seed % 2 == 0;
        c.special_spread = 997;
        c.inexact = seed % 3 == 0;
        configs.push_back(c);
      }
    }
  }
  Config c3 = config_first(PoolKind::kAvg, {2, 5, 4, 20, 30}, {3, 7, 9}, ++seed, 997);
  configs.push_back(c3);
  check_all(configs);
}

TEST_CASE("max plane groups: NaN-free groups take the fast rule, the others the exact one",
          "[kernels]") {
  // 40 planes of 13x17 -> 7x7 are three groups of 16 planes (the last one partial). Group 0 holds
  // no NaN (compare-and-max path), group 1 one NaN, group 2 +inf and -inf (their sum is NaN too:
  // the exact path without any NaN). Few distinct values make ties common.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  PoolGeometry g;
  REQUIRE(
      plan_forward(PoolKind::kMax, 2, Layout::kChannelsFirst, {2, 20, 13, 17}, {7, 7}, &g).ok());
  const WindowTables w = make_window_tables(g);
  std::vector<float> input = ap_test::cast_to<float>(ap_test::grid_values(g.input_numel(), 3));
  for (float& x : input) x = std::round(x / 2);
  const int64_t plane = 13 * 17;
  input[static_cast<size_t>(21 * plane + 40)] = nan;
  input[static_cast<size_t>(35 * plane + 7)] = inf;
  input[static_cast<size_t>(36 * plane + 100)] = -inf;
  std::vector<float> want(static_cast<size_t>(g.output_numel()));
  std::vector<int32_t> want_idx(want.size());
  reference::max_forward(g, w, input.data(), want.data(), want_idx.data());
  for (Isa isa : isas()) {
    INFO(kernels::isa_name(isa));
    RunOptions opt;
    opt.isa = isa;
    Guarded<float> out(g.output_numel());
    Guarded<int32_t> idx(g.output_numel());
    kernels::run_max_forward(g, w, input.data(), out.data(), idx.data(), nullptr, opt);
    REQUIRE(out.guards_intact());
    REQUIRE(idx.guards_intact());
    CHECK(idx.values() == want_idx);
    CHECK(bit_difference(out.values(), want) == "");
  }
}
