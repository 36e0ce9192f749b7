// One geometry through the kernels and through src/reference, compared: the check shared by the
// seeded random test (tests/kernels/kernels_random_test.cc, which reports through Catch2) and the
// fuzz target (tests/fuzz/kernels_fuzz.cc, which aborts), so both hold the kernels to one rule.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "geometry.h"
#include "kernels/run.h"
#include "parallel.h"
#include "reference/reference.h"
#include "test_support.h"
#include "window_tables.h"

namespace ap_test {

// What the kernels wrote, for callers that compare runs with each other (thread counts).
template <typename T>
struct KernelResults {
  std::vector<T> out, grad;
  std::vector<int32_t> idx;
};

// Runs g's forward and backward kernels with `isa` on `pool`, every shape split down to single
// elements, into guarded buffers, and compares them with the reference: max bit for bit with its
// indices, average and gradients within the tolerance, guards intact. The max backward
// scatters `scatter_idx` when given, else the reference's forward indices, so a forward bug cannot
// hide a backward one. Returns "" or the first mismatch, named by element and both values.
template <typename T>
std::string check_kernels(const adaptive_pool::PoolGeometry& g,
                          const adaptive_pool::WindowTables& w, const std::vector<T>& input,
                          const std::vector<T>& grad_out, const std::vector<int32_t>* scatter_idx,
                          adaptive_pool::kernels::Isa isa, adaptive_pool::ThreadPool* pool,
                          KernelResults<T>* results) {
  namespace ap = adaptive_pool;
  const bool avg = g.kind == ap::PoolKind::kAvg;
  std::vector<T> ref_out(static_cast<size_t>(g.output_numel()));
  std::vector<int32_t> ref_idx(static_cast<size_t>(g.output_numel()));
  std::vector<T> ref_grad(static_cast<size_t>(g.input_numel()));
  if (avg) {
    ap::reference::avg_forward(g, w, input.data(), ref_out.data());
    ap::reference::avg_backward(g, w, grad_out.data(), ref_grad.data());
  } else {
    ap::reference::max_forward(g, w, input.data(), ref_out.data(), ref_idx.data());
    if (scatter_idx == nullptr) scatter_idx = &ref_idx;
    ap::reference::max_backward(g, w, grad_out.data(), scatter_idx->data(), ref_grad.data());
  }

  ap::kernels::RunOptions opt;
  opt.isa = isa;
  opt.min_chunk_elements = 1;
  Guarded<T> out(g.output_numel()), grad(g.input_numel());
  Guarded<int32_t> idx(g.output_numel());
  if (avg) {
    ap::kernels::run_avg_forward(g, w, input.data(), out.data(), pool, opt);
    ap::kernels::run_avg_backward(g, w, grad_out.data(), grad.data(), pool, opt);
  } else {
    ap::kernels::run_max_forward(g, w, input.data(), out.data(), idx.data(), pool, opt);
    ap::kernels::run_max_backward(g, w, grad_out.data(), scatter_idx->data(), grad.data(), pool,
                                  opt);
  }
  if (results != nullptr) *results = {out.values(), grad.values(), idx.values()};
  if (!out.guards_intact()) return "a guard region of the output was written";
  if (!grad.guards_intact()) return "a guard region of grad_input was written";
  if (!idx.guards_intact()) return "a guard region of the indices was written";

  std::ostringstream s;
  const double fwd_tol = avg_tolerance<T>(max_abs(input));
  const double bwd_tol = avg_tolerance<T>(max_abs(grad_out));
  for (int64_t i = 0; i < g.output_numel(); ++i) {
    const T want = ref_out[static_cast<size_t>(i)];
    const int32_t want_idx = ref_idx[static_cast<size_t>(i)];
    if (avg ? close_value(out[i], want, fwd_tol) : same_value(out[i], want) && idx[i] == want_idx) {
      continue;
    }
    s << "output element " << i << ": got " << out[i];
    if (!avg) s << " (index " << idx[i] << ")";
    s << ", expected " << want;
    if (!avg) s << " (index " << want_idx << ")";
    return s.str();
  }
  for (int64_t i = 0; i < g.input_numel(); ++i) {
    const T want = ref_grad[static_cast<size_t>(i)];
    if (avg ? close_value(grad[i], want, bwd_tol) : same_value(grad[i], want)) continue;
    s << "grad_input element " << i << ": got " << grad[i] << ", expected " << want;
    return s.str();
  }
  return "";
}

}  // namespace ap_test
