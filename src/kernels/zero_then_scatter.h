// Max pooling backward writes grad_input as zeros plus the gradients scattered to the max
// indices. For work items of whole images, both layouts zero a chunk of images at once and scatter
// into each while the chunk is still in cache.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace adaptive_pool {
namespace kernels {

// Bytes of grad_input zeroed by one memset before their images are scattered into. memset becomes
// wasm's memory.fill, a call into the engine's native memset: per call it costs more than inline
// vector stores (so not per 221-float plane), but over 64 KiB it beats them (max-bwd-odd: 3-7%
// faster than zero<V> per plane). 32 KiB to 2 MiB measured alike; 64 KiB stays within L2.
constexpr int64_t kZeroChunkBytes = 64 * 1024;

// Zeroes images [begin, end) of grad_input (`image` elements each) a chunk at a time and calls
// scatter(img) for each image of a chunk right after zeroing it.
template <typename T, class Scatter>
void zero_then_scatter(T* grad_input, int64_t image, int64_t begin, int64_t end, Scatter scatter) {
  const int64_t chunk =
      std::max<int64_t>(1, kZeroChunkBytes / static_cast<int64_t>(sizeof(T)) / image);
  for (int64_t c0 = begin; c0 < end; c0 += chunk) {
    const int64_t c1 = std::min(end, c0 + chunk);
    std::memset(grad_input + c0 * image, 0, sizeof(T) * static_cast<size_t>((c1 - c0) * image));
    for (int64_t img = c0; img < c1; ++img) scatter(img);
  }
}

}  // namespace kernels
}  // namespace adaptive_pool
