// The seam between the op layer (src/adaptive_pool.cc) and the kernels. The op layer has already
// validated everything: g is as plan_forward/plan_backward make it (geometry_consistent),
// w == make_window_tables(g), every buffer holds exactly g.input_numel()/g.output_numel() elements
// (pointers may be null only when that count is 0), max-backward indices lie inside their plane.
// These functions only choose and run a kernel on `pool` (nullptr: the calling thread); they may
// throw std::bad_alloc.
#pragma once

#include <cstdint>

#include "geometry.h"
#include "window_tables.h"

namespace adaptive_pool {

class ThreadPool;

template <typename T>
void dispatch_avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                          ThreadPool* pool);

template <typename T>
void dispatch_max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                          int32_t* indices, ThreadPool* pool);

template <typename T>
void dispatch_avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                           T* grad_input, ThreadPool* pool);

template <typename T>
void dispatch_max_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                           const int32_t* indices, T* grad_input, ThreadPool* pool);

}  // namespace adaptive_pool
