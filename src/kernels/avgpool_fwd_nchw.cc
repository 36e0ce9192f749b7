// Average pooling forward, channels-first (every plane is an image of one channel).
// Pass 1 sums the input rows of an output row's (d, h) window with SIMD along W into a row buffer;
// pass 2 sums that row's W windows (row_windows.h). Two or three output rows whose windows each
// share a row with the next run pass 1 together (row_sums.h, row_group_pass1). Rows whose (d, h)
// window repeats the previous row's (growing along H or D) are copies; sliding windows over few
// rows (near-identity) skip the row buffer; 3d windows of several slices sum pass 1 slice by slice;
// output rows that each read a single input row take a loop of their own (avg_single_rows).
// Small planes go to avgpool_fwd_nchw_groups.cc instead; global pooling to global_avgpool.cc.
#include <algorithm>

#include "kernels.h"
#include "row_sums.h"
#include "row_windows.h"
#include "rows.h"
#include "scratch.h"
#include "window_scales.h"

namespace adaptive_pool {
namespace kernels {

namespace {

// out[o] = scale * sum over rows r < R and j < K of rows[r][o + j], for o < n. R and K are
// template arguments so the loads unroll and the row pointers stay in registers; runtime counts
// cost more in loop control than the loads themselves.
template <class V, int R, int K>
void sliding_sums(const typename V::Elem* const* rows, int64_t n, typename V::Elem scale,
                  typename V::Elem* out) {
  using T = typename V::Elem;
  constexpr int64_t L = V::kLanes;
  const T* row[R];
  for (int r = 0; r < R; ++r) row[r] = rows[r];
  const V vscale = V::splat(scale);
  int64_t o = 0;
  for (; o + L <= n; o += L) {
    V sum = V::load(row[0] + o);
    for (int j = 1; j < K; ++j) sum = V::add(sum, V::load(row[0] + o + j));
    for (int r = 1; r < R; ++r) {
      for (int j = 0; j < K; ++j) sum = V::add(sum, V::load(row[r] + o + j));
    }
    V::store(out + o, V::mul(sum, vscale));
  }
  for (; o < n; ++o) {
    T sum = row[0][o];
    for (int j = 1; j < K; ++j) sum += row[0][o + j];
    for (int r = 1; r < R; ++r) {
      for (int j = 0; j < K; ++j) sum += row[r][o + j];
    }
    out[o] = sum * scale;
  }
}

template <class V, int K>
bool sliding_sums_k(const typename V::Elem* const* rows, int64_t nrows, int64_t n,
                    typename V::Elem scale, typename V::Elem* out) {
  switch (nrows) {
    case 1:
      sliding_sums<V, 1, K>(rows, n, scale, out);
      return true;
    case 2:
      sliding_sums<V, 2, K>(rows, n, scale, out);
      return true;
    case 4:  // 3d near-identity: 2 x 2 rows
      sliding_sums<V, 4, K>(rows, n, scale, out);
      return true;
    default:
      return false;
  }
}

// Sliding windows of length 2 or 3 over 1, 2 or 4 rows (near-identity, N -> N-1 or N-2) read
// the input rows directly instead of writing a summed row and reading it back. Whether it
// handled the row.
template <class V>
bool fused_sliding(const typename V::Elem* const* rows, int64_t nrows, int64_t k, int64_t n,
                   typename V::Elem scale, typename V::Elem* out) {
  switch (k) {
    case 2:
      return sliding_sums_k<V, 2>(rows, nrows, n, scale, out);
    case 3:
      return sliding_sums_k<V, 3>(rows, nrows, n, scale, out);
    default:
      return false;
  }
}

// 3d, D windows of two slices or more: pass 1 for the output rows of one D window (a band of them,
// sized in rows.h) goes slice by slice: every row's window rows in slice d, then in slice
// d + 1, each continuing its row sum. Row by row, an output row read its rows from kd slices a
// slice apart at once, and video-3d ran at half the roofline's speed even with the loads alone
// (wasm, this machine); slice by slice reads each slice front to back (1.25 -> 0.86 ms). The
// additions come in the row-by-row order, so the sums are the same bits.
template <class V>
void avg_by_slices(const ForwardArgs<typename V::Elem>& a, const RowWindows& plan, int64_t begin,
                   int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t H = s.in[1], W = s.in[2], OH = s.out[1], OW = s.out[2];
  const int64_t band_rows = slice_band_rows(W, OH);
  Scratch<T> band(band_rows * W);
  Scratch<const T*> rows(max_win_len(wh));
  WindowScales<T> scales(ww);
  for (int64_t item = begin; item < end;) {
    const int64_t img = item / s.out_rows(), od = item % s.out_rows() / OH, oh0 = item % OH;
    const int64_t oh1 = std::min<int64_t>({oh0 + band_rows, OH, oh0 + (end - item)});
    const T* image = a.input + img * s.in_image();
    for (int64_t d = win_start(wd, od); d < win_end(wd, od); ++d) {
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        int64_t nrows = 0;
        for (int64_t h = win_start(wh, oh); h < win_end(wh, oh); ++h) {
          rows[static_cast<size_t>(nrows++)] = image + (d * H + h) * W;
        }
        sum_rows<V>(rows.data(), nrows, W, d > win_start(wd, od), band.data() + (oh - oh0) * W);
      }
    }
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      row_window_sums<V>(band.data() + (oh - oh0) * W, ww, plan,
                         scales.at(win_len(wd, od) * win_len(wh, oh)),
                         a.output + (item + oh - oh0) * OW);
    }
    item += oh1 - oh0;
  }
}

// Every output row reads a single input row (no D or H window longer than one row: 1d pooling, or
// D and H kept or grown by whole factors, as grow-2x): pass 1 has nothing to do, so the general
// loop's bookkeeping per output row (its (od, oh) division, row lists, repeat checks) was most of
// the time on short rows. Here a table per call gives each row of an image its input row and
// whether it repeats the previous one (grow-2x: 0.230 -> 0.165 ms, audio-1d 0.41 -> 0.38, fastest
// of three alternating wasm runs). The same calls as the general loop's, so the same bits.
template <class V>
void avg_single_rows(const ForwardArgs<typename V::Elem>& a, const RowWindows& plan, int64_t begin,
                     int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const ptrdiff_t W = static_cast<ptrdiff_t>(s.in[2]), OW = static_cast<ptrdiff_t>(s.out[2]);
  const ptrdiff_t OH = static_cast<ptrdiff_t>(s.out[1]),
                  rows = static_cast<ptrdiff_t>(s.out_rows());
  Scratch<ptrdiff_t> from(rows);  // offset of output row r's input row in its image
  Scratch<char> repeats(rows);
  for (ptrdiff_t r = 0; r < rows; ++r) {
    from[r] = static_cast<ptrdiff_t>(win_start(wd, r / OH) * s.in[1] + win_start(wh, r % OH)) * W;
    repeats[r] = r > 0 && from[r] == from[r - 1];
  }
  WindowScales<T> scales(ww);
  const T* scale = scales.at(1);
  const ptrdiff_t in_image = static_cast<ptrdiff_t>(s.in_image());
  const T* image = a.input + begin / rows * in_image;
  ptrdiff_t r = static_cast<ptrdiff_t>(begin % rows);
  T* out = a.output + begin * OW;
  for (int64_t item = begin; item < end; ++item, ++r, out += OW) {
    if (r == rows) {
      r = 0;
      image += in_image;
    }
    if (item > begin && repeats[r]) {  // computed by this call, so any thread split agrees
      copy<V>(out, out - OW, OW);
      continue;
    }
    const T* row = image + from[r];
    if (plan.sliding && fused_sliding<V>(&row, 1, plan.k, OW, scale[0], out)) continue;
    row_window_sums<V>(row, ww, plan, scale, out);
  }
}

}  // namespace

template <class V>
void avgpool_fwd_nchw(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end) {
  using T = typename V::Elem;
  const Shape& s = a.s;
  const AxisWindows &wd = s.windows->d, &wh = s.windows->h, &ww = s.windows->w;
  const int64_t W = s.in[2], OW = s.out[2];
  const RowWindows plan = plan_row_windows<V>(ww);
  if (max_win_len(wd) > 1 && !plan.sliding) {
    avg_by_slices<V>(a, plan, begin, end);
    return;
  }

  if (max_win_len(wd) == 1 && max_win_len(wh) == 1) {
    avg_single_rows<V>(a, plan, begin, end);
    return;
  }

  Scratch<T> acc(3 * W);  // pass 1 of one output row, or of a group of up to three
  const int64_t max_rows = max_win_len(wd) * max_win_len(wh);
  Scratch<const T*> rows(3 * max_rows);  // the window rows of each output row of a group
  WindowScales<T> scales(ww);
  int64_t img = begin / s.out_rows(), r = begin % s.out_rows();
  for (int64_t item = begin; item < end; ++item, ++r) {
    if (r == s.out_rows()) {
      r = 0;
      ++img;
    }
    const int64_t od = r / s.out[1], oh = r % s.out[1];
    T* out = a.output + item * OW;

    // An output row whose (d, h) window is the previous row's (the input grows along H or D) is a
    // copy of it; the previous row was computed by this call, so any thread split agrees.
    if (item > begin && r > 0 && repeats_previous_row(s, od, oh)) {
      copy<V>(out, out - OW, OW);
      continue;
    }

    const T* image = a.input + img * s.in_image();
    const int64_t nrows = window_row_ptrs(s, image, od, oh, rows.data());
    const T* scale = scales.at(win_len(wd, od) * win_len(wh, oh));

    // Sliding windows over few rows (near-identity): sum the rows' shifted loads directly, in
    // row-major order, instead of writing a summed row and reading it back.
    if (plan.sliding && fused_sliding<V>(rows.data(), nrows, plan.k, OW, scale[0], out)) continue;

    // Pass 1: the (d, h) window's rows, summed in row-major order; together with the next one or
    // two output rows' while each starts on the previous one's last row (row_group_pass1). Not with
    // sliding W windows: the next row alone might take the fused sliding sums, and its bits must
    // not depend on whether this row is in the same thread's range.
    const T* row = rows[0];
    if (nrows > 1 && !plan.sliding) {
      const RowGroup g = row_group_pass1<V>(
          s, image, r, od, oh, std::min(end - item, s.out_rows() - r), rows.data(), max_rows, nrows,
          W, acc.data(), [](int64_t) { return true; });
      if (g.size > 1) {
        // Pass 2 of the group's rows together. Their scale tables stay valid side by side: a
        // group's windows are one slice deep, and H windows take at most two lengths, the two
        // tables WindowScales keeps.
        const T* sums[3];
        const T* scale_k[3];
        T* out_k[3];
        for (int k = 0; k < g.size; ++k) {
          sums[k] = acc.data() + k * W;
          scale_k[k] = scales.at(win_len(wd, g.od[k]) * win_len(wh, g.oh[k]));
          out_k[k] = out + k * OW;
        }
        row_window_sums<V>(sums, g.size, ww, plan, scale_k, out_k);
        item += g.size - 1, r += g.size - 1;
        continue;
      }
    }
    if (nrows > 1) {
      sum_rows<V>(rows.data(), nrows, W, false, acc.data());
      row = acc.data();
    }
    // Pass 2: W windows.
    row_window_sums<V>(row, ww, plan, scale, out);
  }
}

AP_INSTANTIATE(avgpool_fwd_nchw, ForwardArgs)

}  // namespace kernels
}  // namespace adaptive_pool
