// Table-driven edge classes. Every row runs through the public ops in both layouts and both
// dtypes, with and without NaN/inf in the input, and is checked three ways: against
// src/reference (the spec the fast kernels must match), against a long-double oracle written from
// SEMANTICS.md, and channels-last against the transposed channels-first result. Output buffers
// carry NaN-poisoned guards.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "adaptive_pool.h"
#include "reference/reference.h"
#include "test_support.h"
#include "window_tables.h"

using namespace adaptive_pool;

namespace {

constexpr int64_t K = kKeepInputSize;

struct Edge {
  const char* name;
  int spatial_dims;
  std::vector<int64_t> shape;  // channels-first: [N,] C, spatial...
  std::vector<int64_t> output_size;
};

// kh != kw together with C % 4 != 0 is where PyTorch's own channels-last backward went wrong, so
// most rows use C = 3, 5 or 7 and unequal window sizes per axis.
const std::vector<Edge> kEdges = {
    {"1d output 1", 1, {2, 3, 10}, {1}},
    {"1d output = input", 1, {2, 3, 10}, {10}},
    {"1d output > input", 1, {2, 3, 5}, {7}},
    {"1d non-divisible", 1, {2, 5, 14}, {4}},
    {"1d window lengths differ by 2", 1, {1, 3, 8}, {3}},
    {"1d input 1", 1, {2, 3, 1}, {5}},
    {"1d unbatched", 1, {3, 9}, {2}},
    {"1d batch 0", 1, {0, 3, 9}, {2}},
    {"1d empty output", 1, {2, 3, 9}, {0}},
    {"1d in 70000 out 69999 (in*out >= 2^31)", 1, {1, 2, 70000}, {69999}},
    {"2d output 1x1", 2, {2, 3, 7, 7}, {1, 1}},
    {"2d output = input", 2, {2, 3, 6, 5}, {6, 5}},
    {"2d output = input via None", 2, {2, 3, 6, 5}, {K, K}},
    {"2d output > input", 2, {2, 3, 3, 4}, {5, 7}},
    {"2d non-divisible kh != kw C=3", 2, {2, 3, 13, 17}, {5, 7}},
    {"2d non-divisible kh != kw C=5", 2, {1, 5, 10, 9}, {3, 4}},
    {"2d non-divisible kh != kw C=7", 2, {2, 7, 9, 6}, {4, 3}},
    {"2d C=1", 2, {2, 1, 9, 7}, {4, 3}},
    {"2d keep H", 2, {2, 3, 6, 8}, {K, 3}},
    {"2d single output size", 2, {2, 3, 9, 7}, {4}},
    {"2d unbatched", 2, {3, 9, 10}, {4, 3}},
    {"2d batch 0", 2, {0, 3, 5, 5}, {2, 2}},
    {"2d empty output", 2, {2, 3, 5, 5}, {0, 3}},
    {"3d output 1", 3, {2, 3, 2, 7, 5}, {1, 1, 1}},
    {"3d non-divisible kd != kh != kw C=5", 3, {1, 5, 7, 6, 5}, {3, 4, 2}},
    {"3d output > input", 3, {1, 2, 2, 3, 2}, {3, 4, 5}},
    {"3d output = input", 3, {1, 3, 3, 4, 5}, {3, 4, 5}},
    {"3d keep D and W", 3, {2, 3, 5, 4, 6}, {K, 2, K}},
    {"3d unbatched", 3, {3, 4, 5, 6}, {2, 2, 3}},
    {"3d batch 0", 3, {0, 3, 4, 4, 4}, {2, 2, 2}},
    {"3d empty output", 3, {2, 3, 4, 4, 4}, {2, 0, 2}},
};

std::vector<int64_t> shape_in(const Edge& e, Layout layout) {
  if (layout == Layout::kChannelsFirst) return e.shape;
  // Memory order of channels-last: the channel axis moves to the end.
  std::vector<int64_t> s = e.shape;
  const size_t c = s.size() == static_cast<size_t>(e.spatial_dims) + 2 ? 1 : 0;
  const int64_t channels = s[c];
  s.erase(s.begin() + static_cast<long>(c));
  s.push_back(channels);
  return s;
}

template <typename T>
struct Results {
  PoolGeometry avg, max;
  std::vector<T> avg_out, max_out, avg_grad, max_grad;
  std::vector<int32_t> max_idx;
};

// Each check reports the first mismatch with its position (one assertion per buffer, so the
// large rows stay fast).
template <typename T, typename U, typename Match>
void check_all(const std::vector<T>& got, const std::vector<U>& want, const char* what,
               Match match) {
  REQUIRE(got.size() == want.size());
  size_t bad = got.size();
  for (size_t i = 0; i < got.size() && bad == got.size(); ++i) {
    if (!match(got[i], want[i])) bad = i;
  }
  if (bad < got.size()) {
    FAIL(what << "[" << bad << "] = " << got[bad] << ", expected "
              << static_cast<double>(want[bad]));
  }
  SUCCEED(what);
}

template <typename T, typename U>
void check_close(const std::vector<T>& got, const std::vector<U>& want, double tol,
                 const char* what) {
  check_all(got, want, what, [tol](T a, U b) {
    return ap_test::close_value(static_cast<double>(a), static_cast<double>(b), tol);
  });
}

template <typename T>
void check_same(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  check_all(got, want, what, [](T a, T b) { return ap_test::same_value(a, b); });
}

template <typename T>
Results<T> run_layout(const Edge& e, Layout layout, const std::vector<double>& logical_input,
                      const std::vector<double>& logical_grad_avg,
                      const std::vector<double>& logical_grad_max) {
  Results<T> r;
  const std::vector<int64_t> shape = shape_in(e, layout);
  REQUIRE(
      plan_forward(PoolKind::kAvg, e.spatial_dims, layout, shape, e.output_size, &r.avg).message ==
      "");
  REQUIRE(
      plan_forward(PoolKind::kMax, e.spatial_dims, layout, shape, e.output_size, &r.max).message ==
      "");
  const PoolGeometry& g = r.avg;
  // Test data are made channels-first, then moved into this layout.
  PoolGeometry cf;
  REQUIRE(plan_forward(PoolKind::kAvg, e.spatial_dims, Layout::kChannelsFirst, e.shape,
                       e.output_size, &cf)
              .ok());
  const std::vector<T> input =
      ap_test::cast_to<T>(ap_test::relayout(logical_input, cf, g, /*input=*/true));
  const std::vector<T> grad_avg =
      ap_test::cast_to<T>(ap_test::relayout(logical_grad_avg, cf, g, /*input=*/false));
  const std::vector<T> grad_max =
      ap_test::cast_to<T>(ap_test::relayout(logical_grad_max, cf, g, /*input=*/false));
  const int64_t n_in = g.input_numel(), n_out = g.output_numel();
  const WindowTables w = make_window_tables(g);
  const ap_test::Oracle oracle{g};
  const double tol = ap_test::avg_tolerance<T>(ap_test::max_abs(input));
  const double gtol = ap_test::avg_tolerance<T>(ap_test::max_abs(grad_avg));

  // Average forward.
  ap_test::Guarded<T> out(n_out);
  REQUIRE(avg_pool_forward(g, input.data(), n_in, out.data(), n_out).ok());
  REQUIRE(out.guards_intact());
  r.avg_out = out.values();
  std::vector<T> ref(static_cast<size_t>(n_out));
  reference::avg_forward(g, w, input.data(), ref.data());
  check_close(r.avg_out, ref, tol, "avg vs reference");
  check_close(r.avg_out, oracle.avg_forward(input), tol, "avg");

  // Max forward: values and indices exactly; the oracle re-derives the tie and NaN rules.
  ap_test::Guarded<T> mout(n_out);
  ap_test::Guarded<int32_t> midx(n_out);
  REQUIRE(max_pool_forward(r.max, input.data(), n_in, mout.data(), midx.data(), n_out).ok());
  REQUIRE(mout.guards_intact());
  REQUIRE(midx.guards_intact());
  r.max_out = mout.values();
  r.max_idx = midx.values();
  std::vector<T> mref(static_cast<size_t>(n_out));
  std::vector<int32_t> iref(static_cast<size_t>(n_out));
  reference::max_forward(r.max, w, input.data(), mref.data(), iref.data());
  check_same(r.max_out, mref, "max vs reference");
  REQUIRE(r.max_idx == iref);
  std::string max_problem;
  for (int64_t p = 0; p < g.planes() && max_problem.empty(); ++p) {
    for (int64_t o = 0; o < g.out_plane() && max_problem.empty(); ++o) {
      const size_t at = static_cast<size_t>(ap_test::offset(g, p, o, g.out_plane()));
      max_problem = oracle.check_max(input, p, o, r.max_out[at], r.max_idx[at]);
      if (!max_problem.empty()) {
        max_problem =
            "plane " + std::to_string(p) + " output " + std::to_string(o) + ": " + max_problem;
      }
    }
  }
  REQUIRE(max_problem == "");

  // Average backward.
  PoolGeometry gb;
  REQUIRE(plan_backward(PoolKind::kAvg, e.spatial_dims, layout, shape, g.output_shape, &gb).ok());
  ap_test::Guarded<T> gin(n_in);
  REQUIRE(avg_pool_backward(gb, grad_avg.data(), n_out, gin.data(), n_in).ok());
  REQUIRE(gin.guards_intact());
  r.avg_grad = gin.values();
  std::vector<T> gref(static_cast<size_t>(n_in));
  reference::avg_backward(gb, w, grad_avg.data(), gref.data());
  check_close(r.avg_grad, gref, gtol, "avg grad vs reference");
  check_close(r.avg_grad, oracle.avg_backward(grad_avg), gtol, "avg grad");

  // Max backward, routed through the indices the forward produced.
  REQUIRE(plan_backward(PoolKind::kMax, e.spatial_dims, layout, shape, g.output_shape, &gb).ok());
  ap_test::Guarded<T> mgin(n_in);
  REQUIRE(max_pool_backward(gb, grad_max.data(), r.max_idx.data(), n_out, mgin.data(), n_in).ok());
  REQUIRE(mgin.guards_intact());
  r.max_grad = mgin.values();
  std::vector<T> mgref(static_cast<size_t>(n_in));
  reference::max_backward(gb, w, grad_max.data(), r.max_idx.data(), mgref.data());
  const double mtol = ap_test::avg_tolerance<T>(ap_test::max_abs(grad_max));
  check_close(r.max_grad, mgref, mtol, "max grad vs reference");
  std::vector<long double> scatter(static_cast<size_t>(n_in), 0.0L);
  for (int64_t p = 0; p < g.planes(); ++p) {
    for (int64_t o = 0; o < g.out_plane(); ++o) {
      const size_t at = static_cast<size_t>(ap_test::offset(g, p, o, g.out_plane()));
      scatter[static_cast<size_t>(ap_test::offset(g, p, r.max_idx[at], g.in_plane()))] +=
          grad_max[at];
    }
  }
  check_close(r.max_grad, scatter, mtol, "max grad");
  return r;
}

template <typename T>
void run_edge(const Edge& e, bool specials) {
  PoolGeometry cf;
  REQUIRE(plan_forward(PoolKind::kAvg, e.spatial_dims, Layout::kChannelsFirst, e.shape,
                       e.output_size, &cf)
              .ok());
  // The output shape follows from the table directly: [N,] C, then each output size or, for
  // None, the input size.
  std::vector<int64_t> expect_shape(e.shape.begin(), e.shape.end() - e.spatial_dims);
  for (int i = 0; i < e.spatial_dims; ++i) {
    const int64_t v = e.output_size.size() == 1 ? e.output_size[0] : e.output_size[i];
    expect_shape.push_back(v == K ? e.shape[e.shape.size() - e.spatial_dims + i] : v);
  }
  REQUIRE(cf.output_shape == expect_shape);

  std::vector<double> input = ap_test::grid_values(cf.input_numel(), 1);
  if (specials) ap_test::add_specials(&input);
  const std::vector<double> grad_avg = ap_test::grid_values(cf.output_numel(), 2);
  const std::vector<double> grad_max = ap_test::grid_values(cf.output_numel(), 3);

  const Results<T> first = run_layout<T>(e, Layout::kChannelsFirst, input, grad_avg, grad_max);
  const Results<T> last = run_layout<T>(e, Layout::kChannelsLast, input, grad_avg, grad_max);

  // Channels-last must hold the same logical results as channels-first.
  const double tol = ap_test::avg_tolerance<T>(ap_test::max_abs(input));
  const double gtol =
      ap_test::avg_tolerance<T>(std::fmax(ap_test::max_abs(grad_avg), ap_test::max_abs(grad_max)));
  check_close(ap_test::relayout(last.avg_out, last.avg, first.avg, false), first.avg_out, tol,
              "channels-last avg");
  check_same(ap_test::relayout(last.max_out, last.max, first.max, false), first.max_out,
             "channels-last max");
  REQUIRE(ap_test::relayout(last.max_idx, last.max, first.max, false) == first.max_idx);
  check_close(ap_test::relayout(last.avg_grad, last.avg, first.avg, true), first.avg_grad, gtol,
              "channels-last avg grad");
  check_close(ap_test::relayout(last.max_grad, last.max, first.max, true), first.max_grad, gtol,
              "channels-last max grad");

  // An unbatched tensor is the batched one with N = 1.
  if (!cf.batched) {
    Edge batched = e;
    batched.shape.insert(batched.shape.begin(), 1);
    const Results<T> b = run_layout<T>(batched, Layout::kChannelsFirst, input, grad_avg, grad_max);
    check_same(b.avg_out, first.avg_out, "batched avg");
    check_same(b.max_out, first.max_out, "batched max");
    REQUIRE(b.max_idx == first.max_idx);
    check_same(b.avg_grad, first.avg_grad, "batched avg grad");
    check_same(b.max_grad, first.max_grad, "batched max grad");
  }
}

}  // namespace

TEST_CASE("edge classes, float32", "[edge]") {
  for (const Edge& e : kEdges) {
    SECTION(e.name) {
      run_edge<float>(e, false);
      run_edge<float>(e, true);
    }
  }
}

TEST_CASE("edge classes, float64", "[edge]") {
  for (const Edge& e : kEdges) {
    SECTION(e.name) {
      run_edge<double>(e, false);
      run_edge<double>(e, true);
    }
  }
}

TEST_CASE("edge classes: 70000 -> 69999 picks the right element of every window", "[edge]") {
  // With in*out >= 2^31 every window is [o, o + 2) exactly; a 32-bit o*in would shift them.
  PoolGeometry g;
  REQUIRE(plan_forward(PoolKind::kMax, 1, Layout::kChannelsFirst, {1, 1, 70000}, {69999}, &g).ok());
  std::vector<float> input(70000);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(i % 1000);
  std::vector<float> out(69999);
  std::vector<int32_t> idx(69999);
  REQUIRE(max_pool_forward(g, input.data(), 70000, out.data(), idx.data(), 69999).ok());
  // Input o + 1 holds the window's maximum unless it wrapped round to 0.
  int64_t wrong = -1;
  for (int64_t o = 0; o < 69999 && wrong < 0; ++o) {
    const int64_t expect = (o + 1) % 1000 == 0 ? o : o + 1;
    if (idx[static_cast<size_t>(o)] != expect) wrong = o;
  }
  REQUIRE(wrong == -1);
}
