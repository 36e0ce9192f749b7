// The read is rows.h's stream_sum: four independent accumulators, so it is bound by loads.
#include "roofline.h"

#include "rows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

template <class V>
typename V::Elem read_once(const typename V::Elem* p, int64_t n) {
  typename V::Elem tail;
  const V sum = stream_sum<V>(p, static_cast<ptrdiff_t>(n), &tail);
  return V::hsum(sum) + tail;
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
