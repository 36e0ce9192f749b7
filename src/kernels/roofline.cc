// The read is rows.h's stream_sum: four independent accumulators, so it is bound by loads; the
// write is rows.h's fill: four vector stores a step, no reads of the output.
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

// The output gets the input's sum, so the read cannot be optimised away.
template <class V>
typename V::Elem read_write_once(const typename V::Elem* in, int64_t n_in, typename V::Elem* out,
                                 int64_t n_out) {
  const typename V::Elem sum = read_once<V>(in, n_in);
  fill<V>(out, n_out, sum);
  return sum;
}

}  // namespace

float roofline_read_f32(const float* data, int64_t n) {
  return read_once<Widest<float>::type>(data, n);
}
double roofline_read_f64(const double* data, int64_t n) {
  return read_once<Widest<double>::type>(data, n);
}

float roofline_read_write_f32(const float* in, int64_t n_in, float* out, int64_t n_out) {
  return read_write_once<Widest<float>::type>(in, n_in, out, n_out);
}
double roofline_read_write_f64(const double* in, int64_t n_in, double* out, int64_t n_out) {
  return read_write_once<Widest<double>::type>(in, n_in, out, n_out);
}

}  // namespace kernels
}  // namespace adaptive_pool
