// Channels-first max pooling when the H and W windows tile their axes (see uniform_windows.h).
#pragma once

#include <cstdint>

#include "kernels.h"

namespace adaptive_pool {
namespace kernels {

// W windows the kernel unrolls (1, 2, 4): other widths gather columns through memory and lose to
// the plane groups (measured on 12 -> 4 and 24 -> 8).
inline bool maxpool_uniform_width(int64_t kw) { return kw == 1 || kw == 2 || kw == 4; }

// Items: images * out_rows, one output row each (channels-first, D not pooled).
template <class V>
void maxpool_fwd_nchw_uniform(const ForwardArgs<typename V::Elem>& a, int64_t begin, int64_t end);

}  // namespace kernels
}  // namespace adaptive_pool
