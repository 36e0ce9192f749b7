// The operator side of the kernels (XNNPACK's "operator" role): turns a validated call into work
// items, picks the SIMD kernel or its scalar twin, and splits the items over the thread pool.
// src/dispatch.cc routes every op here; the kernel tests call it with each ISA and thread count.
#pragma once

#include <cstdint>

#include "../geometry.h"
#include "../window_tables.h"

namespace adaptive_pool {

class ThreadPool;

namespace kernels {

enum class Isa { kScalar, kSimd };

bool simd_available();  // false in the wasm "scalar" build
Isa best_isa();
const char* isa_name(Isa isa);

struct RunOptions {
  Isa isa = best_isa();
  // Below this many elements touched per chunk, waking a worker costs more than it saves, so the
  // work stays on the calling thread. Tests lower it to make small shapes split across threads.
  int64_t min_chunk_elements = 1 << 15;
  // A whole call is split only when its work (elements touched, weighted by the op's cost per
  // element) reaches this many minimum chunks: about 200K element-touches, some 0.05 ms of one
  // thread. On the 2-core VM, with the pool's work claiming, two threads took the 0.1-0.3 ms
  // calls of the bench (13x17 plane batches, the max backward) 1.2-2.1x faster. A 0.06 ms call
  // (a batch of 5x5 -> 7x7 planes) gained only 0-23% when split, less than a busy second core can
  // cost it, so calls that small stay on the caller. Scales with min_chunk_elements, so tests
  // that lower it still split tiny shapes.
  int64_t min_split_chunks = 6;
};

template <typename T>
void run_avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                     ThreadPool* pool, const RunOptions& options = {});

template <typename T>
void run_max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                     int32_t* indices, ThreadPool* pool, const RunOptions& options = {});

template <typename T>
void run_avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                      T* grad_input, ThreadPool* pool, const RunOptions& options = {});

template <typename T>
void run_max_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                      const int32_t* indices, T* grad_input, ThreadPool* pool,
                      const RunOptions& options = {});

}  // namespace kernels
}  // namespace adaptive_pool
