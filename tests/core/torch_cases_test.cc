// Every case PyTorch computed (tests/data/torch-cases.json) through the public API: plan, forward,
// backward. Each float32 case also runs in float64 (the float32 inputs are exact in double).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adaptive_pool.h"
#include "test_support.h"

using namespace adaptive_pool;
using nlohmann::json;

namespace {

const json& cases() {
  static const json doc = [] {
    const std::string path = std::string(AP_TEST_DATA_DIR) + "/torch-cases.json";
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    return json::parse(file);
  }();
  return doc.at("cases");
}

// NaN and infinities arrive as the strings "nan", "inf", "-inf".
double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::runtime_error("unexpected number string " + s);
  }
  return v.get<double>();
}

std::vector<double> numbers(const json& a) {
  std::vector<double> v;
  for (const json& x : a) v.push_back(number(x));
  return v;
}

struct Case {
  std::string id;
  PoolKind kind;
  int spatial_dims;
  Layout layout;
  bool float64;
  std::vector<int64_t> input_shape, output_size, output_shape;
  std::vector<double> input, output, grad_output, grad_input;
  std::vector<int32_t> indices;
};

Case parse(const json& j) {
  Case c;
  c.id = j.at("id").get<std::string>();
  const std::string op = j.at("op").get<std::string>();  // adaptive_{avg,max}_pool{1,2,3}d
  c.kind = op.find("max") != std::string::npos ? PoolKind::kMax : PoolKind::kAvg;
  c.spatial_dims = op[op.size() - 2] - '0';
  c.layout =
      j.at("layout").get<std::string>() == "NCHW" ? Layout::kChannelsFirst : Layout::kChannelsLast;
  c.float64 = j.at("dtype").get<std::string>() == "float64";
  c.input_shape = j.at("input_shape").get<std::vector<int64_t>>();
  for (const json& s : j.at("output_size")) {
    c.output_size.push_back(s.is_null() ? kKeepInputSize : s.get<int64_t>());
  }
  c.output_shape = j.at("output_shape").get<std::vector<int64_t>>();
  c.input = numbers(j.at("input"));
  c.output = numbers(j.at("output"));
  c.grad_output = numbers(j.at("grad_output"));
  c.grad_input = numbers(j.at("grad_input"));
  if (j.contains("indices")) c.indices = j.at("indices").get<std::vector<int32_t>>();
  return c;
}

// Runs one case in type T. `tol_rel` is the relative tolerance for averages and gradients.
template <typename T>
void run_case(const Case& c, double tol_rel) {
  const double tol = tol_rel * std::fmax(1.0, ap_test::max_abs(c.input));
  PoolGeometry g;
  Status s = plan_forward(c.kind, c.spatial_dims, c.layout, c.input_shape, c.output_size, &g);
  REQUIRE(s.message == "");
  REQUIRE(g.output_shape == c.output_shape);
  REQUIRE(g.output_numel() == static_cast<int64_t>(c.output.size()));
  const std::vector<T> input = ap_test::cast_to<T>(c.input);
  const int64_t n_out = g.output_numel(), n_in = g.input_numel();
  ap_test::Guarded<T> out(n_out);
  ap_test::Guarded<int32_t> idx(n_out);
  if (c.kind == PoolKind::kAvg) {
    REQUIRE(avg_pool_forward(g, input.data(), n_in, out.data(), n_out).ok());
    for (int64_t i = 0; i < n_out; ++i) {
      INFO("output[" << i << "] = " << out[i] << ", torch " << c.output[i]);
      CHECK(ap_test::close_value(static_cast<double>(out[i]), c.output[i], tol));
    }
  } else {
    REQUIRE(max_pool_forward(g, input.data(), n_in, out.data(), idx.data(), n_out).ok());
    REQUIRE(c.indices.size() == static_cast<size_t>(n_out));
    for (int64_t i = 0; i < n_out; ++i) {
      INFO("output[" << i << "] = " << out[i] << " at " << idx[i] << ", torch " << c.output[i]
                     << " at " << c.indices[i]);
      CHECK(ap_test::same_value(static_cast<double>(out[i]), c.output[i]));
      CHECK(idx[i] == c.indices[i]);
    }
  }
  CHECK(out.guards_intact());
  CHECK(idx.guards_intact());

  // Backward, planned from the shapes the way PyTorch's autograd sees them.
  PoolGeometry gb;
  s = plan_backward(c.kind, c.spatial_dims, c.layout, c.input_shape, c.output_shape, &gb);
  REQUIRE(s.message == "");
  const std::vector<T> grad_output = ap_test::cast_to<T>(c.grad_output);
  ap_test::Guarded<T> grad_input(n_in);
  if (c.kind == PoolKind::kAvg) {
    REQUIRE(avg_pool_backward(gb, grad_output.data(), n_out, grad_input.data(), n_in).ok());
  } else {
    REQUIRE(
        max_pool_backward(gb, grad_output.data(), c.indices.data(), n_out, grad_input.data(), n_in)
            .ok());
  }
  const double gtol = tol_rel * std::fmax(1.0, ap_test::max_abs(c.grad_output));
  for (int64_t i = 0; i < n_in; ++i) {
    INFO("grad_input[" << i << "] = " << grad_input[i] << ", torch " << c.grad_input[i]);
    CHECK(ap_test::close_value(static_cast<double>(grad_input[i]), c.grad_input[i],
                               std::fmax(tol, gtol)));
  }
  CHECK(grad_input.guards_intact());
}

}  // namespace

TEST_CASE("torch-cases.json: all 78 cases are there", "[torch]") { CHECK(cases().size() == 78); }

TEST_CASE("torch-cases.json: every case in its own dtype", "[torch]") {
  for (const json& j : cases()) {
    const Case c = parse(j);
    SECTION(c.id) {
      INFO(j.at("op").get<std::string>()
           << " " << j.at("layout").get<std::string>() << " " << j.at("dtype").get<std::string>());
      if (c.float64) {
        run_case<double>(c, 1e-12);
      } else {
        run_case<float>(c, 1e-5);
      }
    }
  }
}

TEST_CASE("torch-cases.json: float32 cases run in float64", "[torch]") {
  for (const json& j : cases()) {
    const Case c = parse(j);
    if (c.float64) continue;
    SECTION(c.id) {
      // torch's float32 results carry float32 rounding, so the float32 tolerance applies.
      run_case<double>(c, 1e-5);
    }
  }
}
