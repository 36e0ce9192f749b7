// The core's public entry points. Each op re-checks buffer lengths against the geometry (the
// geometry comes from plan_forward/plan_backward), computes the window tables once, and runs the
// fastest kernel for the layout on the given thread pool (nullptr: on the calling thread).
// Explicitly instantiated for float and double.
#pragma once

#include <cstdint>

#include "geometry.h"
#include "status.h"

namespace adaptive_pool {

class ThreadPool;

template <typename T>
Status avg_pool_forward(const PoolGeometry& g, const T* input, int64_t input_len, T* output,
                        int64_t output_len, ThreadPool* pool = nullptr);

// indices: PyTorch's flattened position within the (n, c) plane, one per output element.
template <typename T>
Status max_pool_forward(const PoolGeometry& g, const T* input, int64_t input_len, T* output,
                        int32_t* indices, int64_t output_len, ThreadPool* pool = nullptr);

template <typename T>
Status avg_pool_backward(const PoolGeometry& g, const T* grad_output, int64_t grad_output_len,
                         T* grad_input, int64_t grad_input_len, ThreadPool* pool = nullptr);

// Every index is checked against the plane before anything is written.
template <typename T>
Status max_pool_backward(const PoolGeometry& g, const T* grad_output, const int32_t* indices,
                         int64_t grad_output_len, T* grad_input, int64_t grad_input_len,
                         ThreadPool* pool = nullptr);

}  // namespace adaptive_pool
