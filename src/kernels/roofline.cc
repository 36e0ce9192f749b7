// Four independent accumulators so the loop is bound by loads, not by add latency.
#include "roofline.h"

#include "simd.h"

namespace adaptive_pool {
namespace kernels {

namespace {

template <class V>
typename V::Elem read_once(const typename V::Elem* p, int64_t n) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  V a0 = V::splat(0), a1 = V::splat(0), a2 = V::splat(0), a3 = V::splat(0);
  int64_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    a0 = V::add(a0, V::load(p + i));
    a1 = V::add(a1, V::load(p + i + L));
    a2 = V::add(a2, V::load(p + i + 2 * L));
    a3 = V::add(a3, V::load(p + i + 3 * L));
  }
  T s = V::hsum(V::add(V::add(a0, a1), V::add(a2, a3)));
  for (; i < n; ++i) s += p[i];
  return s;
}

}  // namespace

float roofline_read_f32(const float* data, int64_t n) {
  return read_once<Widest<float>::type>(data, n);
}
double roofline_read_f64(const double* data, int64_t n) {
  return read_once<Widest<double>::type>(data, n);
}

}  // namespace kernels
}  // namespace adaptive_pool
