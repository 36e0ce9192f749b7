// Vector types the kernels are written against. Every kernel is a template over one of these, so
// the SIMD kernel and its scalar twin are the same source: F32x4/F64x2 wrap wasm SIMD128
// (wasm_simd128.h under -msimd128; natively the same API from simde, so Catch2 exercises the SIMD
// paths), Scalar<T> is one lane of plain C++.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define AP_HAVE_SIMD 1
#elif !defined(__EMSCRIPTEN__) && defined(__has_include)
#if __has_include(<simde/wasm/simd128.h>)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#define AP_HAVE_SIMD 1
#endif
#endif
#ifndef AP_HAVE_SIMD
#define AP_HAVE_SIMD 0
#endif

namespace adaptive_pool {
namespace kernels {

// One lane: the scalar twin. Index is the type max kernels keep per-lane positions in.
template <typename T>
struct Scalar {
  using Elem = T;
  using Index = int64_t;
  static constexpr int kLanes = 1;
  static constexpr const char* kIsa = "scalar";
  T v;
  struct Mask {
    bool m;
  };
  struct Idx {
    int64_t v;
  };
  static Scalar load(const T* p) { return {*p}; }
  static void store(T* p, Scalar a) { *p = a.v; }
  static Scalar splat(T x) { return {x}; }
  static Scalar add(Scalar a, Scalar b) { return {a.v + b.v}; }
  static Scalar mul(Scalar a, Scalar b) { return {a.v * b.v}; }
  static T hsum(Scalar a) { return a.v; }
  static Scalar pair_sums(Scalar a, Scalar b) { return {a.v + b.v}; }  // one lane: a + b
  // out[k] = sum of the lanes of a[k], k < 4.
  static void hsum4(const Scalar* a, T* out) {
    for (int k = 0; k < 4; ++k) out[k] = a[k].v;
  }
  // PyTorch's max update rule: a strictly greater value or any NaN replaces the current maximum.
  static Mask takes(Scalar cand, Scalar cur) { return {cand.v > cur.v || std::isnan(cand.v)}; }
  static Scalar select(Mask m, Scalar a, Scalar b) { return m.m ? a : b; }
  // The NaN-free half of the rule, for blocks known to hold no NaN: a compare and a max instead of
  // two compares, an or and a select.
  static Mask gt(Scalar a, Scalar b) { return {a.v > b.v}; }
  static Scalar keep_greater(Scalar cur, Scalar cand) { return cand.v > cur.v ? cand : cur; }
  static bool any_nan(Scalar a) { return std::isnan(a.v); }
  static Idx idx_splat(int64_t i) { return {i}; }
  static Idx idx_iota(int64_t base) { return {base}; }
  static Idx idx_select(Mask m, Idx a, Idx b) { return m.m ? a : b; }
  // m ? later : cur where later >= cur >= 0 (positions met in increasing order).
  static Idx idx_later(Mask m, Idx later, Idx cur) { return m.m ? later : cur; }
  static Idx idx_add(Idx a, Idx b) { return {a.v + b.v}; }
  static Idx idx_load(const Index* p) { return {*p}; }
  static void idx_store(Index* p, Idx a) { *p = a.v; }
  static void idx_store_i32(int32_t* p, Idx a) { *p = static_cast<int32_t>(a.v); }

  // One kLanes x kLanes block of interleave / deinterleave (see F32x4): here one element.
  template <ptrdiff_t kStride>
  static void store_transposed(const Scalar* rows, T* dst) {
    dst[0] = rows[0].v;
  }
  template <ptrdiff_t kStride, typename E>
  static void interleave_block(const E* const* src, ptrdiff_t i, E* dst) {
    dst[0] = src[0][i];
  }
  template <ptrdiff_t kStride, typename E>
  static void deinterleave_block(const E* src, ptrdiff_t i, E* const* dst) {
    dst[0][i] = src[0];
  }
  static void store_deinterleaved(const Scalar* cols, ptrdiff_t i, T* const* dst) {
    dst[0][i] = cols[0].v;
  }
  template <typename E>
  static void interleave(const E* const* src, int64_t n, E* dst, int64_t stride) {
    for (int64_t i = 0; i < n; ++i) dst[i * stride] = src[0][i];
  }
  template <typename E>
  static void deinterleave(const E* src, int64_t stride, int64_t n, E* const* dst, int planes) {
    if (planes < 1) return;
    for (int64_t i = 0; i < n; ++i) dst[0][i] = src[i * stride];
  }
};

#if AP_HAVE_SIMD
// Lanes of a, b, c, d (rows of a 4x4 block of 32-bit lanes) as columns: out[j] lane k = row k's
// element j.
inline void transpose4x4(v128_t a, v128_t b, v128_t c, v128_t d, v128_t* out) {
  const v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5);
  const v128_t t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  const v128_t t2 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5);
  const v128_t t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  out[0] = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
  out[1] = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  out[2] = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
  out[3] = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

struct F32x4 {
  using Elem = float;
  using Index = int32_t;
  static constexpr int kLanes = 4;
  static constexpr const char* kIsa = "wasmsimd";
  v128_t v;
  struct Mask {
    v128_t m;
  };
  struct Idx {
    v128_t v;
  };
  static F32x4 load(const float* p) { return {wasm_v128_load(p)}; }
  static void store(float* p, F32x4 a) { wasm_v128_store(p, a.v); }
  static F32x4 splat(float x) { return {wasm_f32x4_splat(x)}; }
  static F32x4 add(F32x4 a, F32x4 b) { return {wasm_f32x4_add(a.v, b.v)}; }
  static F32x4 mul(F32x4 a, F32x4 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
  // (a0+a1, a2+a3, b0+b1, b2+b3).
  static F32x4 pair_sums(F32x4 a, F32x4 b) {
    return {wasm_f32x4_add(wasm_i32x4_shuffle(a.v, b.v, 0, 2, 4, 6),
                           wasm_i32x4_shuffle(a.v, b.v, 1, 3, 5, 7))};
  }
  // Every lane twice, in order: (a0, a0, a1, a1) and (a2, a2, a3, a3).
  static void repeat2(F32x4 a, F32x4* lo, F32x4* hi) {
    lo->v = wasm_i32x4_shuffle(a.v, a.v, 0, 0, 1, 1);
    hi->v = wasm_i32x4_shuffle(a.v, a.v, 2, 2, 3, 3);
  }
  static float hsum(F32x4 a) {
    return (wasm_f32x4_extract_lane(a.v, 0) + wasm_f32x4_extract_lane(a.v, 1)) +
           (wasm_f32x4_extract_lane(a.v, 2) + wasm_f32x4_extract_lane(a.v, 3));
  }
  // out[k] = sum of the lanes of a[k], k < 4: a transpose, then three vector adds. Adds the lanes
  // in the same order as hsum, so both give the same bits.
  static void hsum4(const F32x4* a, float* out) { wasm_v128_store(out, hsum4_vec(a).v); }
  // hsum4's four sums as one vector, for callers that keep adding to them.
  static F32x4 hsum4_vec(const F32x4* a) {
    const v128_t t0 = wasm_i32x4_shuffle(a[0].v, a[1].v, 0, 4, 1, 5);
    const v128_t t1 = wasm_i32x4_shuffle(a[0].v, a[1].v, 2, 6, 3, 7);
    const v128_t t2 = wasm_i32x4_shuffle(a[2].v, a[3].v, 0, 4, 1, 5);
    const v128_t t3 = wasm_i32x4_shuffle(a[2].v, a[3].v, 2, 6, 3, 7);
    const v128_t s01 = wasm_f32x4_add(wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5),
                                      wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
    const v128_t s23 = wasm_f32x4_add(wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5),
                                      wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    return {wasm_f32x4_add(s01, s23)};
  }
  // (p[0], p[st], p[2 st], p[3 st]): the same element of four planes `st` apart.
  static F32x4 gather4(const float* p, ptrdiff_t st) {
    return {wasm_f32x4_make(p[0], p[st], p[2 * st], p[3 * st])};
  }
  static Mask takes(F32x4 cand, F32x4 cur) {
    return {wasm_v128_or(wasm_f32x4_gt(cand.v, cur.v), wasm_f32x4_ne(cand.v, cand.v))};
  }
  static F32x4 select(Mask m, F32x4 a, F32x4 b) { return {wasm_v128_bitselect(a.v, b.v, m.m)}; }
  static Mask gt(F32x4 a, F32x4 b) { return {wasm_f32x4_gt(a.v, b.v)}; }
  // pmax(cur, cand) is cur < cand ? cand : cur: one maxps, where bitselect takes three.
  static F32x4 keep_greater(F32x4 cur, F32x4 cand) { return {wasm_f32x4_pmax(cur.v, cand.v)}; }
  static bool any_nan(F32x4 a) { return wasm_v128_any_true(wasm_f32x4_ne(a.v, a.v)); }
  static Idx idx_splat(int64_t i) { return {wasm_i32x4_splat(static_cast<int32_t>(i))}; }
  static Idx idx_iota(int64_t base) {
    const int32_t b = static_cast<int32_t>(base);
    return {wasm_i32x4_make(b, b + 1, b + 2, b + 3)};
  }
  static Idx idx_select(Mask m, Idx a, Idx b) { return {wasm_v128_bitselect(a.v, b.v, m.m)}; }
  // Two instructions where bitselect takes three. min_u(m, later) is m & later for a lane mask;
  // spelt as an and, LLVM would rewrite it into a bitselect with zero.
  static Idx idx_later(Mask m, Idx later, Idx cur) {
    return {wasm_i32x4_max(cur.v, wasm_u32x4_min(m.m, later.v))};
  }
  static Idx idx_add(Idx a, Idx b) { return {wasm_i32x4_add(a.v, b.v)}; }
  static Idx idx_load(const Index* p) { return {wasm_v128_load(p)}; }
  static void idx_store(Index* p, Idx a) { wasm_v128_store(p, a.v); }
  static void idx_store_i32(int32_t* p, Idx a) { wasm_v128_store(p, a.v); }

  // dst[j * kStride + l] = src[l][i + j] for j, l < 4: one block of interleave, the stride known
  // at compile time so the stores need no index math.
  template <ptrdiff_t kStride, typename E>
  static void interleave_block(const E* const* src, ptrdiff_t i, E* dst) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    const F32x4 rows[4] = {{wasm_v128_load(src[0] + i)},
                           {wasm_v128_load(src[1] + i)},
                           {wasm_v128_load(src[2] + i)},
                           {wasm_v128_load(src[3] + i)}};
    store_transposed<kStride>(rows, dst);
  }
  // dst[j * kStride + l] = lane j of rows[l] for j, l < 4: vectors computed along rows stored as
  // columns of a channels-last image.
  template <ptrdiff_t kStride, typename E>
  static void store_transposed(const F32x4* rows, E* dst) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    v128_t t[4];
    transpose4x4(rows[0].v, rows[1].v, rows[2].v, rows[3].v, t);
    for (int j = 0; j < 4; ++j) wasm_v128_store(dst + j * kStride, t[j]);
  }
  // The inverse: dst[l][i + j] = src[j * kStride + l] for j, l < 4.
  template <ptrdiff_t kStride, typename E>
  static void deinterleave_block(const E* src, ptrdiff_t i, E* const* dst) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    const F32x4 cols[4] = {{wasm_v128_load(src)},
                           {wasm_v128_load(src + kStride)},
                           {wasm_v128_load(src + 2 * kStride)},
                           {wasm_v128_load(src + 3 * kStride)}};
    store_deinterleaved(cols, i, dst);
  }
  // dst[l][i + j] = lane l of cols[j] for j, l < 4: the inverse of store_transposed, from
  // registers (vectors along channels stored as rows of four planes).
  template <typename E>
  static void store_deinterleaved(const F32x4* cols, ptrdiff_t i, E* const* dst) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    v128_t t[4];
    transpose4x4(cols[0].v, cols[1].v, cols[2].v, cols[3].v, t);
    for (int l = 0; l < 4; ++l) wasm_v128_store(dst[l] + i, t[l]);
  }
  // dst[i * stride + l] = src[l][i] for i < n, l < 4: four planes into four channels of a
  // channels-last image with `stride` channels.
  template <typename E>
  static void interleave(const E* const* src, int64_t n, E* dst, int64_t stride) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const v128_t r0 = wasm_v128_load(src[0] + i), r1 = wasm_v128_load(src[1] + i);
      const v128_t r2 = wasm_v128_load(src[2] + i), r3 = wasm_v128_load(src[3] + i);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
      const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      E* d = dst + i * stride;
      wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
      wasm_v128_store(d + stride, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * stride, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * stride, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (; i < n; ++i) {
      for (int l = 0; l < 4; ++l) dst[i * stride + l] = src[l][i];
    }
  }
  // The inverse: dst[l][i] = src[i * stride + l] for i < n and l < planes.
  template <typename E>
  static void deinterleave(const E* src, int64_t stride, int64_t n, E* const* dst, int planes) {
    static_assert(sizeof(E) == 4, "32-bit lanes");
    int64_t i = 0;
    if (planes == 4) {
      for (; i + 4 <= n; i += 4) {
        const E* p = src + i * stride;
        const v128_t r0 = wasm_v128_load(p), r1 = wasm_v128_load(p + stride);
        const v128_t r2 = wasm_v128_load(p + 2 * stride), r3 = wasm_v128_load(p + 3 * stride);
        const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
        const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
        const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        wasm_v128_store(dst[0] + i, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
        wasm_v128_store(dst[1] + i, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
        wasm_v128_store(dst[2] + i, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
        wasm_v128_store(dst[3] + i, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
      }
    }
    for (; i < n; ++i) {
      for (int l = 0; l < planes; ++l) dst[l][i] = src[i * stride + l];
    }
  }
};

struct F64x2 {
  using Elem = double;
  using Index = int64_t;
  static constexpr int kLanes = 2;
  static constexpr const char* kIsa = "wasmsimd";
  v128_t v;
  struct Mask {
    v128_t m;
  };
  struct Idx {
    v128_t v;
  };
  static F64x2 load(const double* p) { return {wasm_v128_load(p)}; }
  static void store(double* p, F64x2 a) { wasm_v128_store(p, a.v); }
  static F64x2 splat(double x) { return {wasm_f64x2_splat(x)}; }
  static F64x2 add(F64x2 a, F64x2 b) { return {wasm_f64x2_add(a.v, b.v)}; }
  static F64x2 mul(F64x2 a, F64x2 b) { return {wasm_f64x2_mul(a.v, b.v)}; }
  static F64x2 pair_sums(F64x2 a, F64x2 b) {
    return {wasm_f64x2_add(wasm_i64x2_shuffle(a.v, b.v, 0, 2), wasm_i64x2_shuffle(a.v, b.v, 1, 3))};
  }
  static void repeat2(F64x2 a, F64x2* lo, F64x2* hi) {
    lo->v = wasm_i64x2_shuffle(a.v, a.v, 0, 0);
    hi->v = wasm_i64x2_shuffle(a.v, a.v, 1, 1);
  }
  static double hsum(F64x2 a) {
    return wasm_f64x2_extract_lane(a.v, 0) + wasm_f64x2_extract_lane(a.v, 1);
  }
  static void hsum4(const F64x2* a, double* out) {
    for (int k = 0; k < 4; ++k) out[k] = hsum(a[k]);
  }
  static Mask takes(F64x2 cand, F64x2 cur) {
    return {wasm_v128_or(wasm_f64x2_gt(cand.v, cur.v), wasm_f64x2_ne(cand.v, cand.v))};
  }
  static F64x2 select(Mask m, F64x2 a, F64x2 b) { return {wasm_v128_bitselect(a.v, b.v, m.m)}; }
  static Mask gt(F64x2 a, F64x2 b) { return {wasm_f64x2_gt(a.v, b.v)}; }
  static F64x2 keep_greater(F64x2 cur, F64x2 cand) { return {wasm_f64x2_pmax(cur.v, cand.v)}; }
  static bool any_nan(F64x2 a) { return wasm_v128_any_true(wasm_f64x2_ne(a.v, a.v)); }
  static Idx idx_splat(int64_t i) { return {wasm_i64x2_splat(i)}; }
  static Idx idx_iota(int64_t base) { return {wasm_i64x2_make(base, base + 1)}; }
  static Idx idx_select(Mask m, Idx a, Idx b) { return {wasm_v128_bitselect(a.v, b.v, m.m)}; }
  // No i64x2 max in SIMD128: a select.
  static Idx idx_later(Mask m, Idx later, Idx cur) { return idx_select(m, later, cur); }
  static Idx idx_add(Idx a, Idx b) { return {wasm_i64x2_add(a.v, b.v)}; }
  static Idx idx_load(const Index* p) { return {wasm_v128_load(p)}; }
  static void idx_store(Index* p, Idx a) { wasm_v128_store(p, a.v); }
  static void idx_store_i32(int32_t* p, Idx a) {
    p[0] = static_cast<int32_t>(wasm_i64x2_extract_lane(a.v, 0));
    p[1] = static_cast<int32_t>(wasm_i64x2_extract_lane(a.v, 1));
  }

  // One 2x2 block of interleave / deinterleave (see F32x4).
  template <ptrdiff_t kStride>
  static void interleave_block(const double* const* src, ptrdiff_t i, double* dst) {
    const F64x2 rows[2] = {{wasm_v128_load(src[0] + i)}, {wasm_v128_load(src[1] + i)}};
    store_transposed<kStride>(rows, dst);
  }
  template <ptrdiff_t kStride>
  static void store_transposed(const F64x2* rows, double* dst) {
    wasm_v128_store(dst, wasm_i64x2_shuffle(rows[0].v, rows[1].v, 0, 2));
    wasm_v128_store(dst + kStride, wasm_i64x2_shuffle(rows[0].v, rows[1].v, 1, 3));
  }
  template <ptrdiff_t kStride>
  static void deinterleave_block(const double* src, ptrdiff_t i, double* const* dst) {
    const F64x2 cols[2] = {{wasm_v128_load(src)}, {wasm_v128_load(src + kStride)}};
    store_deinterleaved(cols, i, dst);
  }
  static void store_deinterleaved(const F64x2* cols, ptrdiff_t i, double* const* dst) {
    wasm_v128_store(dst[0] + i, wasm_i64x2_shuffle(cols[0].v, cols[1].v, 0, 2));
    wasm_v128_store(dst[1] + i, wasm_i64x2_shuffle(cols[0].v, cols[1].v, 1, 3));
  }
  // dst[i * stride + l] = src[l][i] for i < n, l < 2 (see F32x4::interleave).
  static void interleave(const double* const* src, int64_t n, double* dst, int64_t stride) {
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) {
      const v128_t r0 = wasm_v128_load(src[0] + i), r1 = wasm_v128_load(src[1] + i);
      wasm_v128_store(dst + i * stride, wasm_i64x2_shuffle(r0, r1, 0, 2));
      wasm_v128_store(dst + (i + 1) * stride, wasm_i64x2_shuffle(r0, r1, 1, 3));
    }
    for (; i < n; ++i) {
      dst[i * stride] = src[0][i];
      dst[i * stride + 1] = src[1][i];
    }
  }
  template <typename E>
  static void deinterleave(const E* src, int64_t stride, int64_t n, E* const* dst, int planes) {
    for (int64_t i = 0; i < n; ++i) {
      for (int l = 0; l < planes; ++l) dst[l][i] = src[i * stride + l];
    }
  }
};
#endif

// The widest vector for T in this build.
template <typename T>
struct Widest {
  using type = Scalar<T>;
};
#if AP_HAVE_SIMD
template <>
struct Widest<float> {
  using type = F32x4;
};
template <>
struct Widest<double> {
  using type = F64x2;
};
#endif

}  // namespace kernels
}  // namespace adaptive_pool
