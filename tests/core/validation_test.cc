// Every bad input gets its error code and a message naming the argument and the bad value, and a
// failing call writes nothing (buffers are NaN-poisoned, guards included). Also the shapes that
// planning gives for good inputs.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "adaptive_pool.h"
#include "test_support.h"

using namespace adaptive_pool;

namespace {

constexpr int64_t K = kKeepInputSize;
constexpr int64_t k2e31 = int64_t{1} << 31;
const Layout CF = Layout::kChannelsFirst;
const Layout CL = Layout::kChannelsLast;

void expect_error(const Status& s, ErrorCode code, const std::vector<std::string>& parts) {
  INFO("message: " << s.message);
  CHECK(error_code_name(s.code) == std::string(error_code_name(code)));
  for (const std::string& p : parts) {
    INFO("expected to contain: " << p);
    CHECK(s.message.find(p) != std::string::npos);
  }
}

struct BadForward {
  const char* what;
  PoolKind kind;
  int spatial_dims;
  Layout layout;
  std::vector<int64_t> input_shape;
  std::vector<int64_t> output_size;
  ErrorCode code;
  std::vector<std::string> parts;
};

const std::vector<BadForward> kBadForward = {
    {"rank too low",
     PoolKind::kAvg,
     2,
     CF,
     {2, 3},
     {1, 1},
     ErrorCode::kRank,
     {"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got input_shape [2, 3]"}},
    {"rank too high",
     PoolKind::kMax,
     1,
     CF,
     {1, 2, 3, 4},
     {2},
     ErrorCode::kRank,
     {"adaptive_max_pool1d(): Expected 2D or 3D tensor", "[1, 2, 3, 4]"}},
    {"rank 0",
     PoolKind::kAvg,
     3,
     CL,
     {},
     {1},
     ErrorCode::kRank,
     {"adaptive_avg_pool3d(): Expected 4D or 5D tensor", "input_shape []"}},
    {"empty spatial axis",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 0, 4},
     {2, 2},
     ErrorCode::kShape,
     {"Expected input to have non-zero size for non-batch dimensions, but input has sizes "
      "[1, 3, 0, 4] with dimension 2 being empty"}},
    {"empty channels",
     PoolKind::kMax,
     2,
     CF,
     {1, 0, 4, 4},
     {2, 2},
     ErrorCode::kShape,
     {"[1, 0, 4, 4] with dimension 1 being empty"}},
    {"empty spatial axis, channels-last",
     PoolKind::kAvg,
     2,
     CL,
     {1, 4, 0, 3},
     {2, 2},
     ErrorCode::kShape,
     {"[1, 4, 0, 3] with dimension 2 being empty"}},
    {"empty axis, unbatched",
     PoolKind::kAvg,
     1,
     CF,
     {3, 0},
     {2},
     ErrorCode::kShape,
     {"[3, 0] with dimension 1 being empty"}},
    {"negative input size",
     PoolKind::kAvg,
     2,
     CF,
     {1, -3, 4, 4},
     {2, 2},
     ErrorCode::kShape,
     {"input_shape", "[1, -3, 4, 4]", "dimension 1 being -3"}},
    {"output_size too long",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 4, 4},
     {1, 2, 3},
     ErrorCode::kOutputSize,
     {"adaptive_avg_pool2d: output_size must be 2", "{1, 2, 3}"}},
    {"output_size empty",
     PoolKind::kMax,
     3,
     CF,
     {1, 3, 4, 4, 4},
     {},
     ErrorCode::kOutputSize,
     {"adaptive_max_pool3d: output_size must be 3", "got 0 values {}"}},
    {"1d output_size of two",
     PoolKind::kAvg,
     1,
     CF,
     {1, 3, 4},
     {2, 2},
     ErrorCode::kOutputSize,
     {"adaptive_avg_pool1d: output_size must be 1", "{2, 2}"}},
    {"negative output size",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 4, 4},
     {-1, 2},
     ErrorCode::kOutputSize,
     {"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
      "received {-1, 2}"}},
    {"negative single output size",
     PoolKind::kMax,
     3,
     CL,
     {1, 4, 4, 4, 3},
     {-7},
     ErrorCode::kOutputSize,
     {"adaptive_max_pool3d", "{-7}"}},
    {"None in 1d",
     PoolKind::kAvg,
     1,
     CF,
     {1, 3, 4},
     {K},
     ErrorCode::kOutputSize,
     {"adaptive_avg_pool1d", "output_size", "{None}"}},
    {"output size 2^31",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 4, 4},
     {k2e31, 1},
     ErrorCode::kOutputSize,
     {"output_size", "less than 2^31", "{2147483648, 1}"}},
    {"plane of 2^31 elements",
     PoolKind::kMax,
     2,
     CF,
     {1, 1, 65536, 32768},
     {1, 1},
     ErrorCode::kShape,
     {"adaptive_max_pool2d", "2^31", "input_shape [1, 1, 65536, 32768]"}},
    {"1d plane of 2^31 elements",
     PoolKind::kAvg,
     1,
     CL,
     {1, k2e31, 1},
     {1},
     ErrorCode::kShape,
     {"2^31", "[1, 2147483648, 1]"}},
    {"plane overflowing int64",
     PoolKind::kAvg,
     3,
     CF,
     {1, 1, k2e31, k2e31, k2e31},
     {1},
     ErrorCode::kShape,
     {"2^31", "[1, 1, 2147483648, 2147483648, 2147483648]"}},
    {"input element count 2^60",
     PoolKind::kAvg,
     2,
     CF,
     {int64_t{1} << 40, int64_t{1} << 20, 1, 1},
     {1},
     ErrorCode::kShape,
     {"input_shape [1099511627776, 1048576, 1, 1]", "too many elements"}},
    {"input element count past int64",
     PoolKind::kAvg,
     1,
     CF,
     {int64_t{1} << 62, int64_t{1} << 62, 1},
     {1},
     ErrorCode::kShape,
     {"[4611686018427387904, 4611686018427387904, 1]"}},
    {"output element count past int64",
     PoolKind::kMax,
     3,
     CF,
     {1024, 1024, 2, 2, 2},
     {k2e31 - 1},
     ErrorCode::kOutputSize,
     {"output_size {2147483647}", "too many output elements", "[1024, 1024, 2, 2, 2]"}},
    {"kind",
     static_cast<PoolKind>(5),
     2,
     CF,
     {1, 3, 4, 4},
     {1},
     ErrorCode::kArgument,
     {"kind", "5"}},
    {"spatial_dims",
     PoolKind::kAvg,
     4,
     CF,
     {1, 3, 4, 4},
     {1},
     ErrorCode::kArgument,
     {"spatial_dims", "4"}},
    {"layout",
     PoolKind::kAvg,
     2,
     static_cast<Layout>(2),
     {1, 3, 4, 4},
     {1},
     ErrorCode::kArgument,
     {"layout", "2"}},
};

struct BadBackward {
  const char* what;
  PoolKind kind;
  int spatial_dims;
  Layout layout;
  std::vector<int64_t> input_shape;
  std::vector<int64_t> grad_output_shape;
  ErrorCode code;
  std::vector<std::string> parts;
};

const std::vector<BadBackward> kBadBackward = {
    {"input rank",
     PoolKind::kAvg,
     2,
     CF,
     {3, 4},
     {3, 2},
     ErrorCode::kRank,
     {"adaptive_avg_pool2d_backward(): Expected 3D or 4D tensor", "[3, 4]"}},
    {"grad_output rank",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 8, 8},
     {1, 3, 4},
     ErrorCode::kRank,
     {"adaptive_avg_pool2d_backward", "grad_output", "[1, 3, 4]", "[1, 3, 8, 8]"}},
    {"grad_output batch",
     PoolKind::kMax,
     2,
     CF,
     {1, 3, 8, 8},
     {2, 3, 4, 4},
     ErrorCode::kShape,
     {"adaptive_max_pool2d_backward", "grad_output_shape [2, 3, 4, 4]", "N=1", "N=2"}},
    {"grad_output channels, channels-last",
     PoolKind::kAvg,
     2,
     CL,
     {1, 8, 8, 3},
     {1, 4, 4, 5},
     ErrorCode::kShape,
     {"grad_output_shape [1, 4, 4, 5]", "C=3", "C=5"}},
    {"grad_output channels, unbatched 3d",
     PoolKind::kMax,
     3,
     CF,
     {3, 4, 4, 4},
     {4, 2, 2, 2},
     ErrorCode::kShape,
     {"grad_output_shape [4, 2, 2, 2]", "C=3", "C=4"}},
    {"negative grad_output size",
     PoolKind::kAvg,
     2,
     CF,
     {1, 3, 8, 8},
     {1, 3, -1, 4},
     ErrorCode::kShape,
     {"grad_output_shape", "[1, 3, -1, 4]", "-1"}},
    {"grad_output size 2^31",
     PoolKind::kAvg,
     1,
     CF,
     {1, 3, 8},
     {1, 3, k2e31},
     ErrorCode::kOutputSize,
     {"grad_output_shape [1, 3, 2147483648]"}},
    {"empty input axis",
     PoolKind::kMax,
     1,
     CF,
     {1, 3, 0},
     {1, 3, 2},
     ErrorCode::kShape,
     {"adaptive_max_pool1d_backward", "[1, 3, 0] with dimension 2 being empty"}},
};

}  // namespace

TEST_CASE("validation: error code names", "[validation]") {
  CHECK(std::string(error_code_name(ErrorCode::kOk)) == "OK");
  CHECK(std::string(error_code_name(ErrorCode::kRank)) == "RANK");
  CHECK(std::string(error_code_name(ErrorCode::kShape)) == "SHAPE");
  CHECK(std::string(error_code_name(ErrorCode::kOutputSize)) == "OUTPUT_SIZE");
  CHECK(std::string(error_code_name(ErrorCode::kIndex)) == "INDEX");
  CHECK(std::string(error_code_name(ErrorCode::kMemory)) == "MEMORY");
  CHECK(std::string(error_code_name(ErrorCode::kArgument)) == "ARGUMENT");
  CHECK(std::string(op_name(PoolKind::kMax, 3)) == "adaptive_max_pool3d");
  CHECK(std::string(op_name(PoolKind::kAvg, 1)) == "adaptive_avg_pool1d");
}

TEST_CASE("validation: bad forward calls", "[validation]") {
  for (const BadForward& b : kBadForward) {
    SECTION(b.what) {
      PoolGeometry g;
      g.channels = 12345;  // a failed plan leaves the geometry alone
      const Status s =
          plan_forward(b.kind, b.spatial_dims, b.layout, b.input_shape, b.output_size, &g);
      expect_error(s, b.code, b.parts);
      CHECK(g.channels == 12345);
    }
  }
  const Status s = plan_forward(PoolKind::kAvg, 2, CF, {1, 3, 4, 4}, {2}, nullptr);
  expect_error(s, ErrorCode::kArgument, {"geometry"});
}

TEST_CASE("validation: bad backward calls", "[validation]") {
  for (const BadBackward& b : kBadBackward) {
    SECTION(b.what) {
      PoolGeometry g;
      const Status s =
          plan_backward(b.kind, b.spatial_dims, b.layout, b.input_shape, b.grad_output_shape, &g);
      expect_error(s, b.code, b.parts);
    }
  }
}

TEST_CASE("validation: planned shapes", "[validation]") {
  PoolGeometry g;
  REQUIRE(plan_forward(PoolKind::kAvg, 2, CL, {2, 13, 17, 3}, {7, K}, &g).ok());
  CHECK(g.output_shape == std::vector<int64_t>{2, 7, 17, 3});
  CHECK((g.batched && g.batch == 2 && g.channels == 3));
  CHECK((g.in[0] == 1 && g.in[1] == 13 && g.in[2] == 17));
  CHECK((g.out[0] == 1 && g.out[1] == 7 && g.out[2] == 17));

  REQUIRE(plan_forward(PoolKind::kMax, 1, CF, {3, 11}, {4}, &g).ok());
  CHECK(g.output_shape == std::vector<int64_t>{3, 4});
  CHECK((!g.batched && g.batch == 1 && g.channels == 3 && g.in[2] == 11 && g.out[2] == 4));

  REQUIRE(plan_forward(PoolKind::kMax, 3, CL, {4, 5, 6, 2}, {3}, &g).ok());
  CHECK(g.output_shape == std::vector<int64_t>{3, 3, 3, 2});
  CHECK(g.in_plane() == 120);

  // Largest plane allowed: 2^31 - 1 elements.
  REQUIRE(plan_forward(PoolKind::kMax, 1, CF, {1, 1, k2e31 - 1}, {1}, &g).ok());
  REQUIRE(plan_forward(PoolKind::kAvg, 2, CF, {0, 3, 5, 5}, {2, 2}, &g).ok());
  CHECK(g.output_shape == std::vector<int64_t>{0, 3, 2, 2});
  CHECK(g.output_numel() == 0);

  REQUIRE(plan_backward(PoolKind::kAvg, 2, CL, {1, 8, 6, 3}, {1, 0, 4, 3}, &g).ok());
  CHECK(g.output_numel() == 0);
  CHECK(g.input_numel() == 144);
}

TEST_CASE("validation: empty calls need no buffers", "[validation]") {
  PoolGeometry g;
  REQUIRE(plan_forward(PoolKind::kMax, 2, CF, {0, 3, 5, 5}, {2, 2}, &g).ok());
  CHECK(max_pool_forward<float>(g, nullptr, 0, nullptr, nullptr, 0).ok());
  REQUIRE(plan_backward(PoolKind::kAvg, 1, CF, {2, 3, 5}, {2, 3, 0}, &g).ok());
  // Output size 0 still zeroes grad_input.
  ap_test::Guarded<double> gi(30);
  CHECK(avg_pool_backward<double>(g, nullptr, 0, gi.data(), 30).ok());
  for (int64_t i = 0; i < 30; ++i) CHECK(gi[i] == 0.0);
  CHECK(gi.guards_intact());
}

TEST_CASE("validation: bad buffers write nothing", "[validation]") {
  PoolGeometry avg, max, avg_b, max_b;
  REQUIRE(plan_forward(PoolKind::kAvg, 2, CF, {1, 2, 6, 6}, {3, 2}, &avg).ok());
  REQUIRE(plan_forward(PoolKind::kMax, 2, CF, {1, 2, 6, 6}, {3, 2}, &max).ok());
  REQUIRE(plan_backward(PoolKind::kAvg, 2, CF, {1, 2, 6, 6}, {1, 2, 3, 2}, &avg_b).ok());
  REQUIRE(plan_backward(PoolKind::kMax, 2, CF, {1, 2, 6, 6}, {1, 2, 3, 2}, &max_b).ok());
  const std::vector<float> input(72, 1.0f), grad(12, 1.0f);
  ap_test::Guarded<float> out(12), in(72);
  ap_test::Guarded<int32_t> idx(12);

  SECTION("input length") {
    expect_error(
        avg_pool_forward(avg, input.data(), 71, out.data(), 12), ErrorCode::kShape,
        {"adaptive_avg_pool2d", "input has 71 elements", "input_shape [1, 2, 6, 6]", "needs 72"});
  }
  SECTION("output length") {
    expect_error(max_pool_forward(max, input.data(), 72, out.data(), idx.data(), 13),
                 ErrorCode::kShape, {"output has 13 elements", "[1, 2, 3, 2]", "needs 12"});
  }
  SECTION("null input") {
    expect_error(avg_pool_forward<float>(avg, nullptr, 72, out.data(), 12), ErrorCode::kArgument,
                 {"input is null"});
  }
  SECTION("null indices") {
    expect_error(max_pool_forward(max, input.data(), 72, out.data(), nullptr, 12),
                 ErrorCode::kArgument, {"indices is null"});
  }
  SECTION("geometry of the other kind") {
    expect_error(avg_pool_forward(max, input.data(), 72, out.data(), 12), ErrorCode::kArgument,
                 {"adaptive_max_pool2d"});
    expect_error(max_pool_backward(avg_b, grad.data(), idx.data(), 12, in.data(), 72),
                 ErrorCode::kArgument, {"adaptive_avg_pool2d"});
  }
  SECTION("hand-edited geometry") {
    PoolGeometry forged = avg;
    forged.in[2] = 600;  // claims a plane larger than input_shape holds
    expect_error(avg_pool_forward(forged, input.data(), 72, out.data(), 12), ErrorCode::kArgument,
                 {"geometry"});
    forged = max;
    forged.out[1] = 6;
    expect_error(max_pool_forward(forged, input.data(), 72, out.data(), idx.data(), 12),
                 ErrorCode::kArgument, {"geometry"});
    // Numbers and shapes edited together still have to respect the planners' limits.
    forged = avg;
    forged.in[2] = forged.input_shape[3] = int64_t{1} << 31;
    expect_error(avg_pool_forward(forged, input.data(), 72, out.data(), 12), ErrorCode::kArgument,
                 {"geometry"});
    forged = avg_b;
    forged.batch = 2;  // the shapes still say N=1
    expect_error(avg_pool_backward(forged, grad.data(), 12, in.data(), 72), ErrorCode::kArgument,
                 {"geometry"});
    forged = max;
    forged.output_shape[3] = 3;  // out[2] is still 2
    expect_error(max_pool_forward(forged, input.data(), 72, out.data(), idx.data(), 12),
                 ErrorCode::kArgument, {"geometry"});
  }
  SECTION("grad_output length") {
    expect_error(avg_pool_backward(avg_b, grad.data(), 11, in.data(), 72), ErrorCode::kShape,
                 {"adaptive_avg_pool2d_backward", "grad_output has 11 elements", "needs 12"});
  }
  SECTION("grad_input length") {
    expect_error(max_pool_backward(max_b, grad.data(), std::vector<int32_t>(12, 0).data(), 12,
                                   in.data(), 73),
                 ErrorCode::kShape, {"grad_input has 73 elements", "needs 72"});
  }
  SECTION("index past the plane, in the last position") {
    std::vector<int32_t> bad(12, 0);
    bad[11] = 36;
    expect_error(max_pool_backward(max_b, grad.data(), bad.data(), 12, in.data(), 72),
                 ErrorCode::kIndex,
                 {"adaptive_max_pool2d_backward", "indices[11] = 36", "plane of 36 elements"});
  }
  SECTION("negative index") {
    std::vector<int32_t> bad(12, 3);
    bad[4] = -1;
    expect_error(max_pool_backward(max_b, grad.data(), bad.data(), 12, in.data(), 72),
                 ErrorCode::kIndex, {"indices[4] = -1"});
  }
  CHECK(out.untouched());
  CHECK(in.untouched());
  CHECK(idx.untouched());
}
