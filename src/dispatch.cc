// Kernel choice: every op, layout and dtype goes to the SIMD kernels (or their scalar twins in a
// build without SIMD) through kernels/run.h, which splits the work over `pool`.
#include "dispatch.h"

#include "kernels/run.h"

namespace adaptive_pool {

template <typename T>
void dispatch_avg_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                          ThreadPool* pool) {
  kernels::run_avg_forward(g, w, input, output, pool);
}

template <typename T>
void dispatch_max_forward(const PoolGeometry& g, const WindowTables& w, const T* input, T* output,
                          int32_t* indices, ThreadPool* pool) {
  kernels::run_max_forward(g, w, input, output, indices, pool);
}

template <typename T>
void dispatch_avg_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                           T* grad_input, ThreadPool* pool) {
  kernels::run_avg_backward(g, w, grad_output, grad_input, pool);
}

template <typename T>
void dispatch_max_backward(const PoolGeometry& g, const WindowTables& w, const T* grad_output,
                           const int32_t* indices, T* grad_input, ThreadPool* pool) {
  kernels::run_max_backward(g, w, grad_output, indices, grad_input, pool);
}

#define ADAPTIVE_POOL_INSTANTIATE(T)                                                             \
  template void dispatch_avg_forward<T>(const PoolGeometry&, const WindowTables&, const T*, T*,  \
                                        ThreadPool*);                                            \
  template void dispatch_max_forward<T>(const PoolGeometry&, const WindowTables&, const T*, T*,  \
                                        int32_t*, ThreadPool*);                                  \
  template void dispatch_avg_backward<T>(const PoolGeometry&, const WindowTables&, const T*, T*, \
                                         ThreadPool*);                                           \
  template void dispatch_max_backward<T>(const PoolGeometry&, const WindowTables&, const T*,     \
                                         const int32_t*, T*, ThreadPool*);
ADAPTIVE_POOL_INSTANTIATE(float)
ADAPTIVE_POOL_INSTANTIATE(double)
#undef ADAPTIVE_POOL_INSTANTIATE

}  // namespace adaptive_pool
