// The benchmark's memory roofline: one SIMD pass that reads n elements once and does the least
// work that keeps the loads alive (a sum). bench/run.mjs compares every kernel with it; it is not
// part of the pooling API. The read-write floor adds one SIMD pass that writes the call's output
// once: for calls that write as much as they read or more (growing sizes, near-identity,
// backward), the read alone is no floor.
#pragma once

#include <cstdint>

namespace adaptive_pool {
namespace kernels {

float roofline_read_f32(const float* data, int64_t n);
double roofline_read_f64(const double* data, int64_t n);
float roofline_read_write_f32(const float* in, int64_t n_in, float* out, int64_t n_out);
double roofline_read_write_f64(const double* in, int64_t n_in, double* out, int64_t n_out);

}  // namespace kernels
}  // namespace adaptive_pool
