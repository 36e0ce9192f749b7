// Microkernels: plain loops over pointers and window tables. No validation, no threads, no window
// math of their own (tables come from the op layer via window.h). Each kernel computes the work
// items [begin, end) of one call; items never share an output element, so any split of [0, items)
// across threads gives bit-identical results. run.h decides items, split and ISA.
//
// Every kernel is a template over a vector type from simd.h and is instantiated twice per dtype:
// the wasm SIMD128 kernel (F32x4 / F64x2) and its scalar twin (Scalar<T>).
//
// Sizes are int64_t, but the innermost loops step pointers: wasm32 addresses are 32-bit, and an
// int64_t counter costs a wrap and a shift on every access there (a few percent to 10% per loop).
//
// In wasm, the template instances a kernel picks from at run time, each called from one place, are
// inlined into one large function unless called through call_apart (rows.h). When a hot loop in
// V8's code (node --print-wasm-code) reloads its pointers from the stack, that is the first thing
// to try for an instance that runs a whole range (the uniform kernels); not for a helper called per
// row: around the plane groups' row helpers it did nothing (odd-13x17) or cost 30% (avg-bwd-odd).
#pragma once

#include <cstdint>

#include "../window_tables.h"

namespace adaptive_pool {
namespace kernels {

// Layout-neutral view of a call: `images` independent images of `channels` interleaved channels
// (NCHW: images = N*C planes and channels = 1; NHWC: images = N and channels = C).
// Spatial sizes are D, H, W; missing axes are 1.
struct Shape {
  int64_t images = 0;
  int64_t channels = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  const WindowTables* windows = nullptr;  // built once per call by the op layer

  int64_t in_rows() const { return in[0] * in[1]; }     // input rows (d, h) per image
  int64_t out_rows() const { return out[0] * out[1]; }  // output rows (od, oh) per image
  int64_t in_row_len() const { return in[2] * channels; }
  int64_t out_row_len() const { return out[2] * channels; }
  int64_t in_image() const { return in_rows() * in_row_len(); }
  int64_t out_image() const { return out_rows() * out_row_len(); }
};

template <typename T>
struct ForwardArgs {
  Shape s;
  const T* input = nullptr;
  T* output = nullptr;
  int32_t* indices = nullptr;  // max only
};

template <typename T>
struct BackwardArgs {
  Shape s;
  const T* grad_output = nullptr;
  const int32_t* indices = nullptr;  // max only
  T* grad_input = nullptr;
  int64_t bands = 1;  // max only, channels-first: work items per plane (bands of input rows)
};

// Items: groups of 4 planes (NCHW; the last group may be partial) or images (NHWC).
template <class V>
void global_avgpool_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void global_avgpool_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
// Items: planes (channels-first, output 1 x 1). Instantiated for F32x4 only.
template <class V>
void global_maxpool_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
// Items: planes (NCHW) or images (NHWC).
template <class V>
void global_avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void global_avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

// Items: images * out_rows (one output row (n, c, od, oh) or (n, od, oh) each).
template <class V>
void avgpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void avgpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void maxpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void maxpool_fwd_nhwc(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

// Items: images * out_rows, one output row each. Channels-first small planes whose H and W windows
// tile their axes (14 -> 7) and D not pooled; see uniform_windows.h for the conditions.
template <class V>
void avgpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void maxpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

// Items: groups of nchw_group_size<V>() planes (channels-first only; for small planes).
template <class V>
constexpr int64_t nchw_group_size() {
  return 4 * V::kLanes;  // four vectors per position: the channels-last loops' widest block
}
template <class V>
void avgpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void maxpool_fwd_nchw_groups(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void avgpool_bwd_nchw_groups(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

// Items: images * in_rows (one grad_input row each, gathered from the output rows covering it).
template <class V>
void avgpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void avgpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

// Items: images * bands (NCHW; a band owns a range of input rows, so the scatter of one plane can
// be split without two threads adding into one element) or images (NHWC).
template <class V>
void maxpool_bwd_nchw(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);
template <class V>
void maxpool_bwd_nhwc(const BackwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

}  // namespace kernels
}  // namespace adaptive_pool
