// Work splitting. Every kernel computes whole items (an output row, an input row, a plane or a
// band), so the split only decides who computes what, never how: any thread count gives the same
// bits (a NaN's payload aside, which wasm leaves to the engine's compiler tier). Items are rows
// rather than planes so that a 3-channel image still spreads over threads.
#include "run.h"

#include <algorithm>
#include <functional>
#include <type_traits>

#include "../parallel.h"
#include "kernels.h"
#include "simd.h"
#include "uniform_windows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

Shape make_shape(const PoolGeometry& g, const WindowTables& w) {
  Shape s;
  const bool last = g.layout == Layout::kChannelsLast;
  s.images = last ? g.batch : g.batch * g.channels;
  s.channels = last ? g.channels : 1;
  for (int i = 0; i < 3; ++i) {
    s.in[i] = g.in[i];
    s.out[i] = g.out[i];
  }
  s.windows = &w;
  return s;
}

// Relative cost per element touched, for the split decision only (from the single-thread bench on
// equal shapes: max forward and average backward take about twice the time of average forward).
constexpr int64_t kAvgForwardCost = 1;
constexpr int64_t kMaxForwardCost = 2;
constexpr int64_t kAvgBackwardCost = 2;
constexpr int64_t kMaxBackwardCost = 1;

void run_items(ThreadPool* pool, const RunOptions& o, int64_t items, int64_t elements, int64_t cost,
               const std::function<void(int64_t, int64_t)>& fn) {
  if (items <= 0) return;
  const int64_t per_item = std::max<int64_t>(1, elements / items);
  const int64_t grain = std::max<int64_t>(1, o.min_chunk_elements / per_item);
  const bool small = elements * cost < o.min_split_chunks * o.min_chunk_elements;
  if (pool == nullptr || pool->threads() == 1 || small) {
    fn(0, items);
  } else {
    pool->parallel_for(items, grain, fn);
  }
}

// Channels-first planes up to this size (input plus output elements) are pooled L at a time as an
// interleaved channels-last image (nchw_plane_groups.h): their rows are too short for SIMD along
// W.
constexpr int64_t kSmallPlane = 2048;

// Channels-first float32 global max pooling takes global_maxpool.cc for planes of this many
// elements. Against the plane groups and column kernels, fastest of three alternating wasm runs:
// 13x13 0.171 -> 0.081 ms (2048 planes), 28x28 0.60 -> 0.30, 56x56 0.142 -> 0.091 (167 planes),
// 1d rows of 3000 2.55 -> 0.94; 7x7 and 9x9 planes lost (0.21 against 0.28, 0.32 against 0.36),
// 112x112 and 160x160 measured even (0.13-0.15 ms).
constexpr int64_t kGlobalMaxPlanes[2] = {100, 16384};

int64_t groups(int64_t images, int64_t lanes) { return (images + lanes - 1) / lanes; }

// Whether the planes could be grouped at all: SIMD, channels-first, at least a vector's worth.
template <class V>
bool groupable(const PoolGeometry& g, const Shape& s) {
  return V::kLanes > 1 && g.layout == Layout::kChannelsFirst && s.images >= V::kLanes;
}

template <class V>
bool use_groups(const PoolGeometry& g, const Shape& s) {
  return groupable<V>(g, s) && g.in_plane() + g.out_plane() <= kSmallPlane;
}

// The average (forward and backward) takes the groups for planes up to kAvgGroupPlane elements too
// (input plus output: 112x112 -> 7x7, 56x56 -> 112x112) whose rows are short (kAvgGroupRow): its
// row kernels spend a few hundred cycles of window bookkeeping per row, which one group shares
// among 16 planes. Against them, 1 MB of planes, fastest of two or three alternating wasm runs:
// backward 1.3-4x faster from 56x56 to 112x112 planes (56x56 -> 20x20 0.235 -> 0.089 ms, 100x13 ->
// 99x12 1.30 -> 0.19); forward 56x56 -> 5x5 0.074 -> 0.044 and -> 84x84 1.34 -> 0.44, 64x64 ->
// 10x10 0.147 -> 0.054. Not where the row kernels have faster loops of their own: the forward's W
// windows sliding by one (56 -> 55: 0.16 against 0.27) or single columns (56 -> 112: 0.28 against
// 1.01), and long or 1d rows (audio-1d's pairs: 1280 rows of 2800 -> 200 took 1.37 ms in groups
// against 0.72, 4096 -> 128 0.71 against 0.20). Larger planes lost too (112x112 -> 224x224,
// 224x224 -> 2x2: 0.7-0.8x). The choice never depends on the thread count, as the two ways add in
// different orders; so 4 to 16 such planes are one work item, which no second thread shares.
constexpr int64_t kAvgGroupPlane = 16384;
constexpr int64_t kAvgGroupRow = 128;

template <class V>
bool use_avg_groups(const PoolGeometry& g, const Shape& s, bool forward) {
  if (use_groups<V>(g, s)) return true;
  if (!groupable<V>(g, s) || g.in_plane() + g.out_plane() > kAvgGroupPlane ||
      s.in[2] > kAvgGroupRow || s.in_rows() < 2) {
    return false;
  }
  const AxisWindows& ww = s.windows->w;
  return !forward || (max_win_len(ww) > 1 && sliding_window_len(ww, V::kLanes) == 0);
}

// Channels-first planes whose H and W windows tile the axes (14 -> 7, 1080 -> 540) are pooled
// straight from the planes (avgpool_fwd_nchw_uniform.cc, maxpool_fwd_nchw_uniform.cc): small planes
// for any W window up to 8, cheaper than interleaving them into groups; larger planes when the W
// window is 1, 2 or 4 (reduced by shuffles) and the H window at most 4 rows. Against the row
// kernels on 1080p planes (wasm, this machine, best of 3 alternating runs): average to 540p 2.90
// -> 1.62 ms, max 6.37 -> 2.18; max with H not pooled and W by 4, 6.66 -> 1.67; and 128 x 128 ->
// 64 x 64 average 0.36 -> 0.09, max 0.95 -> 0.16. W windows of 3, 5 or 8 reduce through memory,
// and H windows of 8 rows (max) or 108 walk too many rows at once: 1.6 to 2.6x slower there.
// Small planes whose output rows are narrower than a vector go to the groups instead: the uniform
// kernels take those one window at a time (fastest of three wasm runs, 2560 planes: average
// 14x14 -> 2x2 and 12x12 -> 3x3 0.44 -> 0.09 and 0.27 -> 0.07 ms; max 12x12 -> 3x3 1.30 -> 0.14
// ms, 10240 planes of 8x8 -> 2x2 2.57 -> 0.24 ms). Large planes keep them: their row kernels were
// slower still (1080x8 -> 540x2: 0.05 against 0.46 ms).
template <class V>
bool use_uniform(const PoolGeometry& g, const Shape& s) {
  const int64_t kh = uniform_window_len(s.windows->h), kw = uniform_window_len(s.windows->w);
  if (g.layout != Layout::kChannelsFirst || uniform_window_len(s.windows->d) != 1 || kh == 0 ||
      kw == 0) {
    return false;
  }
  if (g.in_plane() + g.out_plane() <= kSmallPlane) {
    return kw <= kMaxUniformWindow && (s.out[2] >= V::kLanes || !use_groups<V>(g, s));
  }
  return unrolled_uniform_width(kw) && kh <= 4;
}

// Calls f with the widest vector type for T when isa asks for SIMD and the build has it.
template <typename T, typename F>
void with_isa(Isa isa, F f) {
  if (isa == Isa::kSimd && AP_HAVE_SIMD) {
    f(typename Widest<T>::type{});
  } else {
    f(Scalar<T>{});
  }
}

}  // namespace

bool simd_available() { return AP_HAVE_SIMD != 0; }
Isa best_isa() { return simd_available() ? Isa::kSimd : Isa::kScalar; }
const char* isa_name(Isa isa) { return isa == Isa::kSimd ? "wasmsimd" : "scalar"; }

template <typename T>
void run_avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                     ThreadPool* pool, const RunOptions& o) {
  if (g.input_numel() == 0 || g.output_numel() == 0) return;
  ForwardArgs<T> a;
  a.s = make_shape(g, w);
  a.input = input;
  a.output = output;
  const int64_t elements = g.input_numel() + g.output_numel();
  const bool global = g.out_plane() == 1;
  const bool last = g.layout == Layout::kChannelsLast;
  with_isa<T>(o.isa, [&](auto v) {
    using V = decltype(v);
    if (global) {
      if (last) {
        run_items(pool, o, a.s.images, elements, kAvgForwardCost,
                  [&](int64_t b, int64_t e) { global_avgpool_nhwc<V>(a, b, e); });
      } else {
        run_items(pool, o, groups(a.s.images, 4), elements, kAvgForwardCost,
                  [&](int64_t b, int64_t e) { global_avgpool_nchw<V>(a, b, e); });
      }
    } else if (use_uniform<V>(g, a.s)) {
      run_items(pool, o, a.s.images * a.s.out_rows(), elements, kAvgForwardCost,
                [&](int64_t b, int64_t e) { avgpool_fwd_nchw_uniform<V>(a, b, e); });
    } else if (use_avg_groups<V>(g, a.s, true)) {
      run_items(pool, o, groups(a.s.images, nchw_group_size<V>()), elements, kAvgForwardCost,
                [&](int64_t b, int64_t e) { avgpool_fwd_nchw_groups<V>(a, b, e); });
    } else {
      run_items(pool, o, a.s.images * a.s.out_rows(), elements, kAvgForwardCost,
                [&](int64_t b, int64_t e) {
                  last ? avgpool_fwd_nhwc<V>(a, b, e) : avgpool_fwd_nchw<V>(a, b, e);
                });
    }
  });
}

template <typename T>
void run_max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                     int32_t* indices, ThreadPool* pool, const RunOptions& o) {
  if (g.input_numel() == 0 || g.output_numel() == 0) return;
  ForwardArgs<T> a;
  a.s = make_shape(g, w);
  a.input = input;
  a.output = output;
  a.indices = indices;
  const int64_t elements = g.input_numel() + g.output_numel();
  const bool last = g.layout == Layout::kChannelsLast;
  with_isa<T>(o.isa, [&](auto v) {
    using V = decltype(v);
#if AP_HAVE_SIMD
    if constexpr (std::is_same<V, F32x4>::value) {
      if (g.out_plane() == 1 && !last && g.in_plane() >= kGlobalMaxPlanes[0] &&
          g.in_plane() <= kGlobalMaxPlanes[1]) {
        run_items(pool, o, a.s.images, elements, kMaxForwardCost,
                  [&](int64_t b, int64_t e) { global_maxpool_nchw<V>(a, b, e); });
        return;
      }
    }
#endif
    if (use_uniform<V>(g, a.s) && unrolled_uniform_width(uniform_window_len(w.w))) {
      run_items(pool, o, a.s.images * a.s.out_rows(), elements, kMaxForwardCost,
                [&](int64_t b, int64_t e) { maxpool_fwd_nchw_uniform<V>(a, b, e); });
      return;
    }
    if (use_groups<V>(g, a.s)) {
      run_items(pool, o, groups(a.s.images, nchw_group_size<V>()), elements, kMaxForwardCost,
                [&](int64_t b, int64_t e) { maxpool_fwd_nchw_groups<V>(a, b, e); });
      return;
    }
    run_items(pool, o, a.s.images * a.s.out_rows(), elements, kMaxForwardCost,
              [&](int64_t b, int64_t e) {
                last ? maxpool_fwd_nhwc<V>(a, b, e) : maxpool_fwd_nchw<V>(a, b, e);
              });
  });
}

template <typename T>
void run_avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                      T* grad_input, ThreadPool* pool, const RunOptions& o) {
  if (g.input_numel() == 0) return;
  BackwardArgs<T> a;
  a.s = make_shape(g, w);
  a.grad_output = grad_output;
  a.grad_input = grad_input;
  if (g.output_numel() == 0) {  // no output covers anything: the gradient is zero
    std::fill(grad_input, grad_input + g.input_numel(), T(0));
    return;
  }
  const int64_t elements = g.input_numel() + g.output_numel();
  const bool last = g.layout == Layout::kChannelsLast;
  with_isa<T>(o.isa, [&](auto v) {
    using V = decltype(v);
    if (g.out_plane() == 1) {
      run_items(pool, o, a.s.images, elements, kAvgBackwardCost, [&](int64_t b, int64_t e) {
        last ? global_avgpool_bwd_nhwc<V>(a, b, e) : global_avgpool_bwd_nchw<V>(a, b, e);
      });
      return;
    }
    if (use_avg_groups<V>(g, a.s, false)) {
      run_items(pool, o, groups(a.s.images, nchw_group_size<V>()), elements, kAvgBackwardCost,
                [&](int64_t b, int64_t e) { avgpool_bwd_nchw_groups<V>(a, b, e); });
      return;
    }
    run_items(pool, o, a.s.images * a.s.in_rows(), elements, kAvgBackwardCost,
              [&](int64_t b, int64_t e) {
                last ? avgpool_bwd_nhwc<V>(a, b, e) : avgpool_bwd_nchw<V>(a, b, e);
              });
  });
}

template <typename T>
void run_max_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                      const int32_t* indices, T* grad_input, ThreadPool* pool,
                      const RunOptions& o) {
  if (g.input_numel() == 0) return;
  BackwardArgs<T> a;
  a.s = make_shape(g, w);
  a.grad_output = grad_output;
  a.indices = indices;
  a.grad_input = grad_input;
  const bool last = g.layout == Layout::kChannelsLast;
  // Few channels-first planes, and threads to share them: split each plane into bands of input
  // rows so every thread gets work; each band re-reads the plane's indices, a small cost next to
  // zeroing grad_input. Bands never change a sum (each element gets its gradients in output order
  // however the plane is split), so at one thread there are none. Channels-last images are not
  // split: bands of whole lines of channels, each zeroing its part of every position in strides,
  // made two threads 1.3-4.5x slower than one on one to three images of 56x56 to 224x224 (sweep).
  const bool shared = pool != nullptr && pool->threads() > 1 && !last;
  a.bands = shared ? std::max<int64_t>(
                         1, std::min<int64_t>(a.s.in_rows(), 8 / std::max<int64_t>(1, a.s.images)))
                   : 1;
  const int64_t elements = g.input_numel() + g.output_numel() * a.bands;
  with_isa<T>(o.isa, [&](auto v) {
    using V = decltype(v);
    run_items(pool, o, a.s.images * a.bands, elements, kMaxBackwardCost, [&](int64_t b, int64_t e) {
      last ? maxpool_bwd_nhwc<V>(a, b, e) : maxpool_bwd_nchw<V>(a, b, e);
    });
  });
}

#define AP_RUN_INSTANTIATE(T)                                                               \
  template void run_avg_forward<T>(const PoolGeometry&, const WindowTables&, const T*, T*,  \
                                   ThreadPool*, const RunOptions&);                         \
  template void run_max_forward<T>(const PoolGeometry&, const WindowTables&, const T*, T*,  \
                                   int32_t*, ThreadPool*, const RunOptions&);               \
  template void run_avg_backward<T>(const PoolGeometry&, const WindowTables&, const T*, T*, \
                                    ThreadPool*, const RunOptions&);                        \
  template void run_max_backward<T>(const PoolGeometry&, const WindowTables&, const T*,     \
                                    const int32_t*, T*, ThreadPool*, const RunOptions&);
AP_RUN_INSTANTIATE(float)
AP_RUN_INSTANTIATE(double)
#undef AP_RUN_INSTANTIATE

}  // namespace kernels
}  // namespace adaptive_pool
