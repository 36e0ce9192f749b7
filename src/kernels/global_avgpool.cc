// Global average pooling (output 1 x 1): a pure reduction, bound by how fast the input streams in.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "rows.h"
#include "scratch.h"

namespace adaptive_pool {
namespace kernels {

// Four planes at a time: four independent add chains, reduced together by one transpose. (Under
// V8, more than four vector accumulators measured slower, not faster: they stop fitting in
// registers once loads and addresses are live too. Reading a group of planes as one contiguous,
// aligned run with lane masks at plane boundaries, even unrolled for 7 x 7, did not beat this.)
template <class V>
void global_avgpool_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const int64_t plane = s.in_image(), full = plane - plane % L;
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  for (int64_t item = begin; item < end; ++item) {
    const int64_t p0 = item * 4;
    const T* in = a.input + p0 * plane;
    if (p0 + 4 <= s.images) {
      // One pointer and fixed strides rather than four pointers: fewer live registers and one
      // increment per step (about 8% faster under V8).
      const ptrdiff_t st = static_cast<ptrdiff_t>(plane);
      V acc[4] = {V::splat(0), V::splat(0), V::splat(0), V::splat(0)};
      for (const T *q = in, *const end_q = in + full; q < end_q; q += L) {
        acc[0] = V::add(acc[0], V::load(q));
        acc[1] = V::add(acc[1], V::load(q + st));
        acc[2] = V::add(acc[2], V::load(q + 2 * st));
        acc[3] = V::add(acc[3], V::load(q + 3 * st));
      }
      if constexpr (L == 4) {
        // The four sums stay one vector: the tails of the planes (7 x 7 = 12 vectors + 1) are
        // added four planes at a time and the outputs leave with one store, so the per-group
        // work no longer costs a third of the time (it did, measured with 1 x 1 planes).
        V sums = V::hsum4_vec(acc);
        for (const T* t = in + full; t < in + plane; ++t) sums = V::add(sums, V::gather4(t, st));
        V::store(a.output + p0, V::mul(sums, V::splat(scale)));
      } else {
        T sum[4];
        V::hsum4(acc, sum);
        for (int k = 0; k < 4; ++k) {
          for (int64_t i = full; i < plane; ++i) sum[k] += in[k * plane + i];
          a.output[p0 + k] = sum[k] * scale;
        }
      }
      continue;
    }
    for (int64_t p = p0; p < s.images; ++p, in += plane) {  // the last, partial group
      V acc = V::splat(0);
      for (int64_t i = 0; i < full; i += L) acc = V::add(acc, V::load(in + i));
      T sum = V::hsum(acc);
      for (int64_t i = full; i < plane; ++i) sum += in[i];
      a.output[p] = sum * scale;
    }
  }
}

// acc[c] (+)= sum of the N positions at in, in + C, ..., for c < C (N = 4 or 1); Store: the first
// positions, which start the sums instead of adding to them. Pointer steps, not int64 indices (each
// of those costs a wrap and a shift per access in wasm32).
template <class V, int N, bool Store>
void add_positions(const typename V::Elem* in, int64_t C, typename V::Elem* acc) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const ptrdiff_t st = static_cast<ptrdiff_t>(C);
  T* const vector_end = acc + (C - C % L);
  T* o = acc;
  const T* q = in;
  for (; o < vector_end; o += L, q += L) {
    V sum = V::load(q);
    if (N == 4) {
      sum = V::add(V::add(sum, V::load(q + st)), V::add(V::load(q + 2 * st), V::load(q + 3 * st)));
    }
    V::store(o, Store ? sum : V::add(V::load(o), sum));
  }
  for (; o < acc + C; ++o, ++q) {
    T sum = q[0];
    if (N == 4) sum = (sum + q[st]) + (q[2 * st] + q[3 * st]);
    *o = Store ? sum : *o + sum;
  }
}

// Positions outermost: the image streams through once, four positions at a time into a row of C
// sums that stays in L1. (Channels outermost would walk `positions` streams C apart, which for
// C = 2048 all fall into one cache set.) The sums live in a cache-line-aligned scratch row, not in
// the output: tensors are only 8-byte aligned, and read-modify-writes of vectors that straddle
// cache lines cost more than one extra pass over the row.
template <class V>
void global_avgpool_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const Shape& s = a.s;
  const int64_t C = s.channels, positions = s.in[0] * s.in[1] * s.in[2];
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  const V vscale = V::splat(scale);
  Scratch<T> sums(C);
  T* const acc = sums.data();
  for (int64_t img = begin; img < end; ++img) {
    const T* in = a.input + img * s.in_image();
    int64_t p;
    if (positions >= 4) {
      add_positions<V, 4, true>(in, C, acc);
      p = 4;
    } else {
      add_positions<V, 1, true>(in, C, acc);
      p = 1;
    }
    for (; p + 4 <= positions; p += 4) add_positions<V, 4, false>(in + p * C, C, acc);
    for (; p < positions; ++p) add_positions<V, 1, false>(in + p * C, C, acc);
    T* out = a.output + img * C;
    int64_t c = 0;
    for (; c + L <= C; c += L) V::store(out + c, V::mul(V::load(acc + c), vscale));
    for (; c < C; ++c) out[c] = acc[c] * scale;
  }
}

// The backward of global pooling: every element of a plane (NCHW) or every position of an image
// (NHWC) is its output's gradient times the same factor the other backward kernels use. The
// general kernels spent their window bookkeeping on it: 32x512x7x7 took 0.30 ms against 0.13 here
// (fastest of three alternating wasm runs), 7x256 planes of 100x3 0.56 against 0.07.
template <class V>
void global_avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t plane = s.in_image();
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  for (int64_t p = begin; p < end; ++p) {
    fill<V>(a.grad_input + p * plane, plane, a.grad_output[p] * scale);
  }
}

template <class V>
void global_avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const int64_t C = s.channels, positions = s.in[0] * s.in[1] * s.in[2];
  const T scale = window_scale<T>(s.in[0], s.in[1], s.in[2]);
  Scratch<T> row(C);
  for (int64_t img = begin; img < end; ++img) {
    const T* g = a.grad_output + img * C;
    for (int64_t c = 0; c < C; ++c) row[static_cast<size_t>(c)] = g[c] * scale;
    T* gi = a.grad_input + img * s.in_image();
    for (int64_t p = 0; p < positions; ++p) copy<V>(gi + p * C, row.data(), C);
  }
}

AP_INSTANTIATE(global_avgpool_nchw, ForwardArgs)
AP_INSTANTIATE(global_avgpool_nhwc, ForwardArgs)
AP_INSTANTIATE(global_avgpool_bwd_nchw, BackwardArgs)
AP_INSTANTIATE(global_avgpool_bwd_nhwc, BackwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
