// The executable spec: plain loops that follow SEMANTICS.md line by line, single-threaded, for
// every rank (through the D, H, W normalisation of PoolGeometry), both layouts, float and double.
// Fast kernels are tested against these. Callers pass validated geometry, its window tables and
// buffers of exactly input_numel()/output_numel() elements.
#pragma once

#include <cstdint>

#include "../geometry.h"
#include "../window_tables.h"

namespace adaptive_pool {
namespace reference {

// Where one (n, c) plane lives in memory: element `pos` of the plane is at base + pos * stride.
// Channels-first planes are contiguous; channels-last planes step over the channels.
struct PlaneAccess {
  int64_t base;
  int64_t stride;
};

inline PlaneAccess plane_access(const PoolGeometry& g, int64_t plane, int64_t plane_size) {
  if (g.layout == Layout::kChannelsFirst) return {plane * plane_size, 1};
  const int64_t n = plane / g.channels;
  const int64_t c = plane % g.channels;
  return {n * plane_size * g.channels + c, g.channels};
}

template <typename T>
void avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output);

template <typename T>
void max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                 int32_t* indices);

template <typename T>
void avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                  T* grad_input);

// indices must lie inside their plane (the op layer checks them).
template <typename T>
void max_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                  const int32_t* indices, T* grad_input);

}  // namespace reference
}  // namespace adaptive_pool
