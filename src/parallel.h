// A persistent pool of worker threads and a parallel-for over independent work items.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace adaptive_pool {

class ThreadPool {
 public:
  // threads >= 1 counts the calling thread: threads - 1 workers are started once, here.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n) and returns when all are done. Work
  // smaller than `grain` items per thread stays on the calling thread. Callers give every output
  // element to exactly one item, so results do not depend on the thread count. While a split job
  // runs, each of its threads has a scratch arena (scratch_arena.h), freed before this returns.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  struct Shared;  // job slot, locks and the workers; defined in parallel.cc
  int threads_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace adaptive_pool
