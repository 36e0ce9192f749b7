// Max pooling forward, channels-first. PyTorch scans a window in row-major order with
// `val > max || isnan(val)`: the first maximum wins and the last NaN wins. Pass 1 applies that rule
// down each column of the (d, h) window, one input row at a time across the whole width, keeping
// (value, row) per column in scratch; window rows without NaN (checked once per output row) use a
// compare and a max instead of the full rule. Whole rows, because walking all the window's rows a
// few vectors at a time, with the state in registers, read the same bytes at a third of the speed
// on the bench machine (a Zen 5 VM, 1080p planes); the state's loads and stores stay in L1. Pairs
// of rows with the state in registers lost too (1.42 against 1.31 ms), and so did two input rows
// per pass over the state in scratch (2.89 against 2.15). Pass 2 merges the columns of each W
// window; since columns are not visited in row-major order it compares indices too, which picks
// exactly the element the row-major scan picks: the NaN with the largest index if there is one,
// else the largest value with the smallest index. For float32 columns without NaN, a window's
// largest value comes first and then the smallest index among the columns holding it; windows that
// may hold NaN merge four W windows at once, one per lane. 3d windows of several slices run pass 1
// slice by slice for a band of output rows.
// Pass 1 is in max_columns.h, pass 2 in max_column_merge.h; this file runs them row by row.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "kernels.h"
#include "max_column_merge.h"
#include "max_columns.h"
#include "row_gather.h"
#include "rows.h"
#include "scratch.h"
#include "uniform_windows.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// Windows of one input row, planes narrower than a vector and the scalar twin: the row-major scan
// itself.
template <class T>
void scan_windows(const T* plane, const ptrdiff_t* offs, ptrdiff_t nrows, const AxisWindows& ww,
                  ptrdiff_t OW, T* out, int32_t* out_idx) {
  for (ptrdiff_t ow = 0; ow < OW; ++ow) {
    const ptrdiff_t w0 = win_start(ww, ow), w1 = win_end(ww, ow);
    T best = plane[offs[0] + w0];
    ptrdiff_t best_i = offs[0] + w0;
    for (ptrdiff_t k = 0; k < nrows; ++k) {
      for (ptrdiff_t i = offs[k] + w0 + (k == 0); i < offs[k] + w1; ++i) {
        if (plane[i] > best || std::isnan(plane[i])) {
          best = plane[i];
          best_i = i;
        }
      }
    }
    out[ow] = best;
    out_idx[ow] = static_cast<int32_t>(best_i);
  }
}

}  // namespace

template <class V>
void maxpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  using Index = typename V::Index;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const ptrdiff_t W = static_cast<ptrdiff_t>(s.in[2]), OW = static_cast<ptrdiff_t>(s.out[2]);
  const ptrdiff_t H = static_cast<ptrdiff_t>(s.in[1]), OH = static_cast<ptrdiff_t>(s.out[1]);
  // The column passes are for SIMD: the scalar twin scans each window directly, which took
  // max-image-1080p from 33 to 15.5 ms in the scalar wasm build.
  const bool vectors = V::kLanes > 1 && W >= V::kLanes;

  // Padded past column W - 1: both merges read whole vectors from a window's start and mask off
  // the lanes past its end.
  const ptrdiff_t padded = vectors ? W + static_cast<ptrdiff_t>(max_win_len(ww)) + 4 : 0;
  // 3d windows of several slices: pass 1 for the output rows of one D window (a band of them,
  // sized in rows.h) goes slice by slice, each row's column state continuing from the
  // slice before, as in avgpool_fwd_nchw.cc and for the same reason (video-3d's shape: 2.7 -> 1.7
  // ms in wasm). The rows still come in row-major order, so the result is the row-by-row one.
  const ptrdiff_t band_rows =
      vectors && max_win_len(wd) > 1 ? static_cast<ptrdiff_t>(slice_band_rows(padded, OH)) : 1;
  // Float32 windows of one slice and fewer than 256 rows: pass 1 keeps byte row numbers
  // (column_maxima_rows8) until a window turns out to hold NaN.
  bool rows8 = false;
#if AP_HAVE_SIMD
  rows8 = std::is_same<V, F32x4>::value && W >= 16 && max_win_len(wd) == 1 && max_win_len(wh) < 256;
#endif
  Scratch<uint8_t> col_row8(rows8 ? padded : 0);
  bool f32 = false;
#if AP_HAVE_SIMD
  f32 = std::is_same<V, F32x4>::value && vectors;
#endif
  const bool single_columns = max_win_len(ww) == 1;
  MergePlan plan{
      single_columns, f32 && single_columns,
      f32 && single_columns ? plan_row_gather<V>(ww) : RowGather{},
      f32 && OW >= 4 && !single_columns ? static_cast<ptrdiff_t>(sliding_window_len(ww, 4)) : 0,
      Scratch<uint16_t>(f32 && max_win_len(ww) <= 12 ? OW : 0)};
  Scratch<T> col_val(band_rows * padded);
  Scratch<Index> col_idx(band_rows * padded);
  Scratch<uint8_t> no_nan(band_rows);
  Scratch<ptrdiff_t> offs(max_win_len(wd) * max_win_len(wh));
  // Whether output row r of an image repeats the row before (repeats_previous_row), once per call;
  // and the item's (image, od, oh) stepped along rather than divided out per band: on bands of one
  // short row (growing sizes) the two divisions and the repeat checks cost a sixth or more of the
  // time (28x28 -> 56x56: 1.72 -> 1.37 ms, 64x64 -> 128x128: 0.63 -> 0.55, fastest of three
  // alternating wasm runs).
  Scratch<char> repeat_row(s.out_rows());
  for (int64_t r = 1; r < s.out_rows(); ++r)
    repeat_row[r] = repeats_previous_row(s, r / OH, r % OH);
  const int64_t OD = s.out[0];
  int64_t img = begin / s.out_rows(), od = begin % s.out_rows() / OH;
  ptrdiff_t oh0 = static_cast<ptrdiff_t>(begin % OH);
  for (int64_t item = begin; item < end;) {
    const ptrdiff_t oh1 =
        static_cast<ptrdiff_t>(std::min<int64_t>({oh0 + band_rows, OH, oh0 + (end - item)}));
    const ptrdiff_t d0 = static_cast<ptrdiff_t>(win_start(wd, od));
    const ptrdiff_t d1 = static_cast<ptrdiff_t>(win_end(wd, od));
    const T* plane = a.input + img * s.in_image();
    // offs = the rows of slices [from, to) in output row oh's H window; returns how many.
    auto window_rows = [&](ptrdiff_t from, ptrdiff_t to, ptrdiff_t oh) {
      ptrdiff_t n = 0;
      for (ptrdiff_t d = from; d < to; ++d) {
        for (ptrdiff_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) {
          offs[static_cast<size_t>(n++)] = (d * H + h) * W;
        }
      }
      return n;
    };

    // An output row with the previous row's (d, h) window (the input grows along H or D) is a copy
    // of that row, values and indices, which this call wrote (167 planes of 56x56 -> 112x112:
    // 10.3 -> 5.7 ms, fastest of three wasm runs).
    auto repeats = [&](ptrdiff_t oh) {
      return item + (oh - oh0) > begin && repeat_row[od * OH + oh];
    };

    // Pass 1, assuming no NaN. Windows of one row are scanned below instead, except with byte
    // rows: their pass 1 is a copy of the row, and the vector merge beats the scan (1080p with H
    // not pooled, W to 1280 and to 274 columns: 30.4 -> 13.9 and 22.3 -> 4.1 ms, wasm).
    if (vectors) {
      for (ptrdiff_t d = d0; d < d1; ++d) {
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
          if (((d1 - d0) * win_len(wh, oh) == 1 && !rows8) || repeats(oh)) continue;
          const ptrdiff_t n = window_rows(d, d + 1, oh), b = oh - oh0;
          bool clean = false;
#if AP_HAVE_SIMD
          if constexpr (std::is_same<V, F32x4>::value) {
            if (rows8) {
              clean =
                  column_maxima_rows8(plane, offs.data(), n, W, col_val.data(), col_row8.data());
            }
          }
#endif
          if (!rows8) {
            clean =
                column_maxima<V, false>(plane, offs.data(), n, W, d == d0,
                                        col_val.data() + b * padded, col_idx.data() + b * padded);
          }
          no_nan[static_cast<size_t>(b)] = (d == d0 || no_nan[static_cast<size_t>(b)]) && clean;
        }
      }
    }
    for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
      const int64_t row = item + (oh - oh0);
      T* out = a.output + row * OW;
      int32_t* out_idx = a.indices + row * OW;
      if (repeats(oh)) {
        copy<V>(out, out - OW, OW);
        copy_indices(out_idx, out_idx - OW, OW);
        continue;
      }
      // offs still holds the window's rows if pass 1 read them in one go (one slice, one row per
      // band): rebuilding them cost short rows (64 columns) 5-10%.
      const bool have_offs =
          vectors && band_rows == 1 && d1 - d0 == 1 && (win_len(wh, oh) > 1 || rows8);
      const ptrdiff_t nrows = have_offs ? win_len(wh, oh) : window_rows(d0, d1, oh);
      const ptrdiff_t b = oh - oh0;
      if ((nrows == 1 && !rows8) || !vectors) {
        scan_windows(plane, offs.data(), nrows, ww, OW, out, out_idx);
        continue;
      }
      // A window that may hold NaN runs pass 1 again by the full rule.
      T* val = col_val.data() + b * padded;
      Index* idx = col_idx.data() + b * padded;
      const bool clean = no_nan[static_cast<size_t>(b)];
#if AP_HAVE_SIMD
      if constexpr (std::is_same<V, F32x4>::value) {
        if (rows8 && clean) {
          const uint8_t* row8 = col_row8.data();
          const ptrdiff_t* rows = offs.data();
          auto flat = [&](ptrdiff_t c) { return static_cast<int32_t>(rows[row8[c]] + c); };
          if (single_columns) {
            rows8_flat(row8, static_cast<int32_t>(rows[0]), W, idx);
            gather_row<V>(val, ww, plan.gather, nullptr, out);
            gather_row<V>(idx, ww, plan.gather, nullptr, out_idx);
          } else if (plan.sliding > 0) {
            rows8_flat(row8, static_cast<int32_t>(rows[0]), W, idx);
            merge_sliding(val, idx, plan.sliding, OW, out, out_idx);
          } else {
            merge_without_nan(ww, OW, val, flat, plane, out, out_idx, plan.cols.data());
          }
          continue;
        }
      }
#endif
      if (!clean) column_maxima<V, true>(plane, offs.data(), nrows, W, true, val, idx);
      merge_row<V>(ww, W, plan, clean, val, idx, plane, out, out_idx);
    }
    item += oh1 - oh0;
    oh0 = oh1;
    if (oh0 == OH) {
      oh0 = 0;
      if (++od == OD) od = 0, ++img;
    }
  }
}

AP_INSTANTIATE(maxpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
