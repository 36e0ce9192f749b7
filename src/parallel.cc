// Placeholder: runs everything on the calling thread until the real pool lands (issue 5).
#include "parallel.h"

namespace adaptive_pool {

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {}
ThreadPool::~ThreadPool() = default;

void ThreadPool::parallel_for(int64_t n, int64_t /*grain*/,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n > 0) fn(0, n);
}

}  // namespace adaptive_pool
