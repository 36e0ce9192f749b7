// The benchmark's memory roofline: one SIMD pass that reads n elements once and does the least
// work that keeps the loads alive (a sum). bench/run.mjs compares every kernel with it; it is not
// part of the pooling API.
#pragma once

#include <cstdint>

namespace adaptive_pool {
namespace kernels {

float roofline_read_f32(const float* data, int64_t n);
double roofline_read_f64(const double* data, int64_t n);

}  // namespace kernels
}  // namespace adaptive_pool
