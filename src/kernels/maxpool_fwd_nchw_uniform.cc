// Channels-first max pooling when the H and W windows tile their axes exactly (k x k blocks side by
// side, the 2x2 pooling of 14 -> 7) and D is not pooled: the max twin of
// avgpool_fwd_nchw_uniform.cc. Output row b reads the next kh input rows of the flat N*C*D*H row
// sequence, so the kernel runs straight over the planes, L outputs per vector. A vector of outputs
// visits its windows' elements in row-major order (rows, then the kw columns, each column of the
// L windows deinterleaved from L*kw consecutive values), so PyTorch's rule applies as it is, with
// no index compares. Without NaN a compare and a max do the rule's work; a running sum (NaN, or
// inf - inf, poisons it) checks that per vector and sends it to the exact rule.
#include <cstddef>
#include <type_traits>

#include "rows.h"
#include "uniform_windows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// cols[j] lane l = p[l * kw + j] for j < kw: column j of L side-by-side windows.
template <class V>
void window_columns(const typename V::Elem* p, ptrdiff_t kw, V* cols) {
  using T = typename V::Elem;
  constexpr ptrdiff_t L = V::kLanes;
  if (kw == 1) {
    cols[0] = V::load(p);
    return;
  }
#if AP_HAVE_SIMD
  if constexpr (std::is_same<V, F32x4>::value) {
    if (kw == 2) {
      const v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 4);
      cols[0].v = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
      cols[1].v = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
      return;
    }
    if (kw == 4) {
      v128_t t[4];
      transpose4x4(wasm_v128_load(p), wasm_v128_load(p + 4), wasm_v128_load(p + 8),
                   wasm_v128_load(p + 12), t);
      for (int j = 0; j < 4; ++j) cols[j].v = t[j];
      return;
    }
  }
  if constexpr (std::is_same<V, F64x2>::value) {
    if (kw == 2) {
      const v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 2);
      cols[0].v = wasm_i64x2_shuffle(a, b, 0, 2);
      cols[1].v = wasm_i64x2_shuffle(a, b, 1, 3);
      return;
    }
  }
#endif
  for (ptrdiff_t j = 0; j < kw; ++j) {  // rarer widths through memory
    T e[L];
    for (ptrdiff_t l = 0; l < L; ++l) e[l] = p[l * kw + j];
    cols[j] = V::load(e);
  }
}

// Outputs [0, L) of one output row; rows: the first of the kh input rows of length W, offset to
// the first window; pos: the plane index of each lane's window's first element. KH and KW are
// the window when known at compile time (loops unrolled, columns in registers), else 0.
template <class V, bool kExact, int KH, int KW>
bool uniform_max_vector(const typename V::Elem* rows, ptrdiff_t kh_, ptrdiff_t kw_, ptrdiff_t W,
                        typename V::Idx pos, typename V::Elem* out, int32_t* out_idx) {
  using Idx = typename V::Idx;
  const ptrdiff_t kh = KH > 0 ? KH : kh_, kw = KW > 0 ? KW : kw_;
  V cols[kMaxUniformWindow] = {};  // initialised: g++ cannot see that kw >= 1
  window_columns<V>(rows, kw, cols);
  V m = cols[0], acc = cols[0];
  Idx r = pos;
  for (ptrdiff_t i = 0; i < kh; ++i) {
    if (i > 0) window_columns<V>(rows + i * W, kw, cols);
    for (ptrdiff_t j = (i == 0 ? 1 : 0); j < kw; ++j) {
      const V v = cols[j];
      const Idx at = V::idx_add(pos, V::idx_splat(i * W + j));
      if (kExact) {
        const typename V::Mask t = V::takes(v, m);
        m = V::select(t, v, m);
        r = V::idx_select(t, at, r);
      } else {
        r = V::idx_later(V::gt(v, m), at, r);
        m = V::keep_greater(m, v);
        acc = V::add(acc, v);
      }
    }
  }
  if (!kExact && V::any_nan(acc)) return false;
  V::store(out, m);
  V::idx_store_i32(out_idx, r);
  return true;
}

template <class V, int KH, int KW>
void uniform_max(const typename V::Elem* rows, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t W,
                 typename V::Idx pos, typename V::Elem* out, int32_t* out_idx) {
  if (!uniform_max_vector<V, false, KH, KW>(rows, kh, kw, W, pos, out, out_idx)) {
    uniform_max_vector<V, true, KH, KW>(rows, kh, kw, W, pos, out, out_idx);
  }
}

// Output rows [begin, end) of the flat row sequence.
template <class V, int KH, int KW, int NV>
void uniform_rows(const ForwardArgs<typename V::Elem>& a, ptrdiff_t kh_, ptrdiff_t kw_,
                  int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using S = Scalar<T>;
  constexpr ptrdiff_t L = V::kLanes;
  const ptrdiff_t kh = KH > 0 ? KH : kh_, kw = KW > 0 ? KW : kw_;  // known sizes as constants
  const ptrdiff_t W = static_cast<ptrdiff_t>(a.s.in[2]), OW = static_cast<ptrdiff_t>(a.s.out[2]);
  const ptrdiff_t plane_rows = static_cast<ptrdiff_t>(a.s.in_rows());
  // Lane l's window starts l * kw columns after lane 0's.
  typename V::Index step[L];
  for (ptrdiff_t l = 0; l < L; ++l) step[l] = static_cast<typename V::Index>(l * kw);
  const typename V::Idx lanes = V::idx_load(step);
  // Pointers and the plane index stepped row to row rather than recomputed from b (as in
  // avgpool_fwd_nchw_uniform.cc).
  const ptrdiff_t first_row = static_cast<ptrdiff_t>(begin) * kh;  // in the flat row sequence
  const T* rows = a.input + first_row * W;
  ptrdiff_t base = (first_row % plane_rows) * W;  // the index of rows[0] within its plane
  T* out = a.output + static_cast<ptrdiff_t>(begin) * OW;
  int32_t* out_idx = a.indices + static_cast<ptrdiff_t>(begin) * OW;
  for (int64_t b = begin; b < end; ++b, rows += kh * W, out += OW, out_idx += OW) {
    if (base == plane_rows * W) base = 0;
    for_output_vectors<L, NV>(
        OW,
        [&](ptrdiff_t ow) {
          uniform_max<V, KH, KW>(rows + ow * kw, kh, kw, W,
                                 V::idx_add(V::idx_splat(base + ow * kw), lanes), out + ow,
                                 out_idx + ow);
        },
        [&](ptrdiff_t ow) {
          uniform_max<S, KH, KW>(rows + ow * kw, kh, kw, W, S::idx_splat(base + ow * kw), out + ow,
                                 out_idx + ow);
        });
    base += kh * W;
  }
}

}  // namespace

template <class V>
void maxpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const ptrdiff_t kh = static_cast<ptrdiff_t>(uniform_window_len(a.s.windows->h));
  const ptrdiff_t kw = static_cast<ptrdiff_t>(uniform_window_len(a.s.windows->w));
  // run.cc sends only the widths unrolled_uniform_width takes, all unrolled.
  with_uniform_sizes(kh, kw, [&](auto KH, auto KW) {
    with_row_vectors<V::kLanes>(a.s.out[2], [&](auto NV) {
      call_apart(&uniform_rows<V, decltype(KH)::value, decltype(KW)::value, decltype(NV)::value>, a,
                 kh, kw, begin, end);
    });
  });
}

AP_INSTANTIATE(maxpool_fwd_nchw_uniform, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
