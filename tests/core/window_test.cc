// Window ("bin") math: SEMANTICS.md's worked values, the 7 -> 4 backward example, properties over
// many sizes, and exactness where 32-bit arithmetic would overflow.
#include "window.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "adaptive_pool.h"
#include "test_support.h"

using namespace adaptive_pool;

namespace {

std::vector<std::pair<int64_t, int64_t>> windows(int64_t in, int64_t out) {
  AxisWindows w(in, out);
  std::vector<std::pair<int64_t, int64_t>> r;
  for (int64_t o = 0; o < out; ++o) r.emplace_back(w.start[o], w.end[o]);
  return r;
}

using Windows = std::vector<std::pair<int64_t, int64_t>>;

// floor(o*in/out) and ceil((o+1)*in/out) with 128-bit products: no overflow for any int64 inputs
// below 2^62, so it is an independent check of window.h's split formula.
int64_t brute_start(int64_t o, int64_t in, int64_t out) {
  return static_cast<int64_t>((static_cast<__int128>(o) * in) / out);
}
int64_t brute_end(int64_t o, int64_t in, int64_t out) {
  const __int128 num = static_cast<__int128>(o + 1) * in;
  return static_cast<int64_t>((num + out - 1) / out);
}

// What a 32-bit implementation computes for floor(o*in/out): the product wraps.
int64_t int32_start(int64_t o, int64_t in, int64_t out) {
  const int32_t product =
      static_cast<int32_t>(static_cast<uint32_t>(o) * static_cast<uint32_t>(in));
  return product / static_cast<int32_t>(out);
}

}  // namespace

TEST_CASE("window: SEMANTICS.md worked values", "[window]") {
  CHECK(windows(7, 4) == Windows{{0, 2}, {1, 4}, {3, 6}, {5, 7}});
  CHECK(windows(14, 4) == Windows{{0, 4}, {3, 7}, {7, 11}, {10, 14}});
  CHECK(windows(5, 7) == Windows{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {2, 4}, {3, 5}, {4, 5}});
  CHECK(windows(9, 2) == Windows{{0, 5}, {4, 9}});
  CHECK(windows(8, 3) == Windows{{0, 3}, {2, 6}, {5, 8}});  // lengths 3, 4, 3
  // The popular linspace explanation puts bin 2 of 7 -> 4 at [2, 6); PyTorch uses [3, 6).
  CHECK(window_start(2, 7, 4) == 3);
}

TEST_CASE("window: worked values through the ops (avg and max index)", "[window]") {
  struct Row {
    int64_t in, out;
    std::vector<double> avg;
    std::vector<int32_t> max_index;
  };
  const std::vector<Row> rows = {
      {7, 4, {0.5, 2, 4, 5.5}, {1, 3, 5, 6}},
      {14, 4, {1.5, 4.5, 8.5, 11.5}, {3, 6, 10, 13}},
      {5, 7, {0, .5, 1.5, 2, 2.5, 3.5, 4}, {0, 1, 2, 2, 3, 4, 4}},
      {9, 2, {2, 6}, {4, 8}},
  };
  for (const Row& row : rows) {
    INFO(row.in << " -> " << row.out);
    std::vector<float> input(static_cast<size_t>(row.in));
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(i);
    PoolGeometry g;
    REQUIRE(plan_forward(PoolKind::kAvg, 1, Layout::kChannelsFirst, {1, 1, row.in}, {row.out}, &g)
                .ok());
    std::vector<float> avg(static_cast<size_t>(row.out));
    REQUIRE(avg_pool_forward(g, input.data(), row.in, avg.data(), row.out).ok());
    for (size_t o = 0; o < avg.size(); ++o) CHECK(avg[o] == static_cast<float>(row.avg[o]));

    REQUIRE(plan_forward(PoolKind::kMax, 1, Layout::kChannelsFirst, {1, 1, row.in}, {row.out}, &g)
                .ok());
    std::vector<float> max(static_cast<size_t>(row.out));
    std::vector<int32_t> index(static_cast<size_t>(row.out));
    REQUIRE(max_pool_forward(g, input.data(), row.in, max.data(), index.data(), row.out).ok());
    CHECK(index == row.max_index);
  }
}

TEST_CASE("window: SEMANTICS.md backward examples", "[window]") {
  PoolGeometry g;
  REQUIRE(plan_backward(PoolKind::kAvg, 1, Layout::kChannelsFirst, {1, 7}, {1, 4}, &g).ok());
  std::vector<double> ones(4, 1.0), gi(7);
  REQUIRE(avg_pool_backward(g, ones.data(), 4, gi.data(), 7).ok());
  const std::vector<double> expect7 = {0.5,     1.0 / 2 + 1.0 / 3, 1.0 / 3, 1.0 / 3 + 1.0 / 3,
                                       1.0 / 3, 1.0 / 3 + 1.0 / 2, 0.5};
  for (size_t i = 0; i < 7; ++i) CHECK(gi[i] == Approx(expect7[i]).epsilon(1e-15));
  CHECK(gi[1] == Approx(0.8333).epsilon(1e-4));

  REQUIRE(plan_backward(PoolKind::kAvg, 1, Layout::kChannelsFirst, {1, 14}, {1, 4}, &g).ok());
  const std::vector<double> go = {1, 2, 3, 4};
  std::vector<double> gi14(14);
  REQUIRE(avg_pool_backward(g, go.data(), 4, gi14.data(), 14).ok());
  const std::vector<double> expect14 = {.25, .25, .25, .75,  .5, .5, .5,
                                        .75, .75, .75, 1.75, 1,  1,  1};
  for (size_t i = 0; i < 14; ++i) CHECK(gi14[i] == Approx(expect14[i]).epsilon(1e-15));
}

TEST_CASE("window: properties for every in, out up to 64", "[window]") {
  for (int64_t in = 1; in <= 64; ++in) {
    for (int64_t out = 1; out <= 64; ++out) {
      AxisWindows w(in, out);
      INFO(in << " -> " << out);
      REQUIRE(w.start[0] == 0);
      REQUIRE(w.end[static_cast<size_t>(out - 1)] == in);
      int64_t min_len = in, max_len = 0;
      for (size_t o = 0; o < static_cast<size_t>(out); ++o) {
        const int64_t len = w.end[o] - w.start[o];
        REQUIRE(len >= 1);
        min_len = std::min(min_len, len);
        max_len = std::max(max_len, len);
        REQUIRE(w.start[o] == brute_start(static_cast<int64_t>(o), in, out));
        REQUIRE(w.end[o] == brute_end(static_cast<int64_t>(o), in, out));
        if (o > 0) {
          // Windows move forward and leave no gap; they overlap by at most one element
          // when out <= in.
          REQUIRE(w.start[o] >= w.start[o - 1]);
          REQUIRE(w.start[o] <= w.end[o - 1]);
          if (out <= in) REQUIRE(w.end[o - 1] - w.start[o] <= 1);
        }
      }
      REQUIRE(max_len - min_len <= 2);
    }
  }
}

TEST_CASE("window: exact where 32-bit products overflow", "[window]") {
  // 1d in = 70000, out = 69999: o * in passes 2^31 from o = 30680 on.
  const int64_t in = 70000, out = 69999;
  AxisWindows w(in, out);
  int64_t int32_wrong = 0;
  for (int64_t o = 0; o < out; ++o) {
    const size_t i = static_cast<size_t>(o);
    REQUIRE(w.start[i] == brute_start(o, in, out));
    REQUIRE(w.end[i] == brute_end(o, in, out));
    if (int32_start(o, in, out) != w.start[i]) ++int32_wrong;
  }
  // The case only tests overflow safety if 32-bit arithmetic really goes wrong here.
  CHECK(int32_wrong > 30000);

  // Sizes near the validator's 2^31 cap, with products near 2^62.
  const int64_t big[] = {(int64_t{1} << 31) - 1, (int64_t{1} << 31) - 2, 1000000007, 3};
  for (int64_t a : big) {
    for (int64_t b : big) {
      for (int64_t o : {int64_t{0}, int64_t{1}, b / 2, b - 2, b - 1}) {
        if (o < 0 || o >= b) continue;
        INFO(a << " -> " << b << " at " << o);
        REQUIRE(window_start(o, a, b) == brute_start(o, a, b));
        REQUIRE(window_end(o, a, b) == brute_end(o, a, b));
      }
    }
  }
}
