// Channels-first average pooling when the H and W windows tile their axes exactly (k x k blocks
// side by side, the 14 -> 7 of VGG heads) and D is not pooled. Every output row then reads the
// next kh input rows of the flat N*C*D*H row sequence, so the kernel runs straight over the NCHW
// planes: no interleaving into plane groups, no window tables per output. Along W, L outputs read
// L*kw consecutive floats: kw vectors summed down the kh rows, then each lane's kw elements added
// with shuffles (sum_groups in uniform_windows.h). Rows are summed before columns: a different
// order from PyTorch's row-major one, within the average's tolerance.
#include <cstddef>

#include "kernels.h"
#include "rows.h"
#include "uniform_windows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// out[0, L) = scale * window sums of outputs [0, L) of one output row; rows: the first of the kh
// input rows of length W, already offset to the first output's window. KW is the W window when
// known at compile time (the common 1, 2, 4: loops unrolled, sums in registers), 0 for kw; KH
// likewise for the common 2. Offsets are ptrdiff_t: int64 index math costs an i64 multiply and a
// wrap per load in wasm32.
template <class V, int KH, int KW>
void uniform_vector(const typename V::Elem* rows, ptrdiff_t kh, ptrdiff_t W, ptrdiff_t kw, V scale,
                    typename V::Elem* out) {
  constexpr ptrdiff_t L = V::kLanes;
  const ptrdiff_t h = KH > 0 ? KH : kh, k = KW > 0 ? KW : kw;
  V cols[KW > 0 ? KW : kMaxUniformWindow];
  for (ptrdiff_t i = 0; i < k; ++i) {
    const typename V::Elem* p = rows + i * L;
    V s = V::load(p);
    for (ptrdiff_t r = 1; r < h; ++r) s = V::add(s, V::load(p + r * W));
    cols[i] = s;
  }
  V::store(out, V::mul(sum_groups(cols, k), scale));
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
  const T scale = window_scale<T>(1, kh, kw);
  const V vscale = V::splat(scale);
  // Pointers stepped row to row rather than recomputed from b: on short rows (vgg) the two
  // multiplies and the reloads of a.input and a.output were a sixth of the row's instructions.
  const T* rows = a.input + static_cast<ptrdiff_t>(begin) * kh * W;
  T* out = a.output + static_cast<ptrdiff_t>(begin) * OW;
  for (int64_t b = begin; b < end; ++b, rows += kh * W, out += OW) {
    for_output_vectors<L, NV>(
        OW,
        [&](ptrdiff_t ow) {
          uniform_vector<V, KH, KW>(rows + ow * kw, kh, W, kw, vscale, out + ow);
        },
        [&](ptrdiff_t ow) {
          uniform_vector<S, KH, KW>(rows + ow * kw, kh, W, kw, S::splat(scale), out + ow);
        });
  }
}

}  // namespace

template <class V>
void avgpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  const int64_t kh = uniform_window_len(a.s.windows->h), kw = uniform_window_len(a.s.windows->w);
  with_uniform_sizes(kh, kw, [&](auto KH, auto KW) {
    with_row_vectors<V::kLanes>(a.s.out[2], [&](auto NV) {
      call_apart(&uniform_rows<V, decltype(KH)::value, decltype(KW)::value, decltype(NV)::value>, a,
                 kh, kw, begin, end);
    });
  });
}

AP_INSTANTIATE(avgpool_fwd_nchw_uniform, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
