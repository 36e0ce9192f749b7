// The workers are created once (under Emscripten they come from the pre-created pthread pool, so
// creating more than -sPTHREAD_POOL_SIZE would deadlock; the bindings cap the count). A job is cut
// into up to 4 chunks per thread that the caller and the workers claim through one atomic counter.
// The caller never waits for a worker that has not started: once it has claimed the last chunk it
// closes the job, and a worker arriving later backs out without touching it. So a job finishes at
// the caller's pace when workers are slow to wake or descheduled (a busy machine), and only
// waits for chunks a worker is actually computing.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "scratch_arena.h"

namespace adaptive_pool {

namespace {
// Set on worker threads: a parallel_for issued from inside a job runs inline instead of waiting
// on the pool it is part of.
thread_local bool t_inside_job = false;
}  // namespace

// Waits spin briefly (some 50-100 us) before blocking: back-to-back calls (a model's layers, a
// benchmark loop) then find the workers awake, while an idle pool still sleeps instead of burning a
// core.
constexpr int kSpins = 100000;
constexpr int64_t kChunksPerThread = 4;

struct ThreadPool::Shared {
  std::mutex call_mutex;  // one job at a time; a second concurrent caller runs inline

  std::mutex mutex;  // guards the sleeps below
  std::condition_variable work_ready;
  std::condition_variable work_done;
  std::atomic<uint64_t> generation{0};  // bumped per job (under `mutex`, for the sleepers)
  std::atomic<bool> stop{false};

  // The current job: written before `open` is set, read by workers only after they entered and
  // saw `open` (both seq_cst, so the caller's "close, then count" and a worker's "enter, then
  // look" cannot miss each other).
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int64_t chunks = 0;
  std::atomic<int64_t> next_chunk{0};
  std::atomic<bool> open{false};
  std::atomic<int> entered{0};  // workers inside the current job

  // Scratch arenas of the current job, one per thread (the caller's first): allocated by the
  // caller before the job opens and freed after the last worker left, sized by the largest peak
  // of the jobs so far, so workers never call malloc (scratch_arena.h).
  std::vector<ScratchArena> arenas;
  size_t arena_bytes = 0;

  std::vector<std::thread> workers;

  void open_arenas() {
    for (ScratchArena& a : arenas) a = open_arena(arena_bytes);
  }

  // The size only grows: a smaller job between two larger ones (a model's layers alternate
  // kernels) must not send the next large one to the heap.
  void close_arenas() {
    for (ScratchArena& a : arenas) {
      arena_bytes = std::max(arena_bytes, a.peak);
      close_arena(&a);
    }
  }

  void run_chunks() {
    for (;;) {
      const int64_t c = next_chunk.fetch_add(1);
      if (c >= chunks) return;
      // Chunk c covers [c*n/chunks, (c+1)*n/chunks): even sizes, fixed by n and chunk count.
      (*fn)(c * n / chunks, (c + 1) * n / chunks);
    }
  }

  void worker_loop(int index) {
    t_inside_job = true;
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && generation.load() == seen && !stop.load(); ++i) {
      }
      if (generation.load() == seen && !stop.load()) {
        std::unique_lock<std::mutex> lock(mutex);
        work_ready.wait(lock, [&] { return stop.load() || generation.load() != seen; });
      }
      if (stop.load()) return;
      seen = generation.load();
      entered.fetch_add(1);
      if (open.load()) {
        set_thread_arena(&arenas[static_cast<size_t>(index)]);
        run_chunks();
        set_thread_arena(nullptr);
      }
      if (entered.fetch_sub(1) == 1 && !open.load()) {
        std::lock_guard<std::mutex> lock(mutex);
        work_done.notify_one();
      }
    }
  }
};

ThreadPool::ThreadPool(int threads)
    : threads_(threads < 1 ? 1 : threads), shared_(std::make_unique<Shared>()) {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  // A wasm build without -pthread cannot start threads (std::thread throws): no workers, so the
  // caller runs every chunk itself, in the same chunking as with workers.
  return;
#endif
  shared_->arenas.resize(static_cast<size_t>(threads_));
  shared_->workers.reserve(static_cast<size_t>(threads_ - 1));
  for (int i = 1; i < threads_; ++i) {
    shared_->workers.emplace_back([s = shared_.get(), i] { s->worker_loop(i); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stop.store(true);
  }
  shared_->work_ready.notify_all();
  for (std::thread& t : shared_->workers) t.join();
}

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  if (threads_ == 1 || n / grain < 2 || t_inside_job) {
    fn(0, n);
    return;
  }
  const int64_t chunks = std::min<int64_t>(threads_ * kChunksPerThread, n / grain);
  Shared& s = *shared_;
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  // No workers, and mutexes are no-ops without pthreads, so a nested call would take over the
  // shared job slot: run the same chunks here, one after another.
  for (int64_t c = 0; c < chunks; ++c) fn(c * n / chunks, (c + 1) * n / chunks);
  return;
#endif
  std::unique_lock<std::mutex> call_lock(s.call_mutex, std::try_to_lock);
  if (!call_lock.owns_lock()) {
    fn(0, n);
    return;
  }
  s.open_arenas();
  set_thread_arena(&s.arenas[0]);
  s.fn = &fn;
  s.n = n;
  s.chunks = chunks;
  s.next_chunk.store(0);
  s.open.store(true);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.generation.fetch_add(1);
  }
  s.work_ready.notify_all();
  s.run_chunks();
  // Every chunk is claimed: close the job, then wait only for workers still inside it.
  s.open.store(false);
  for (int i = 0; i < kSpins && s.entered.load() != 0; ++i) {
  }
  if (s.entered.load() != 0) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.work_done.wait(lock, [&] { return s.entered.load() == 0; });
  }
  s.fn = nullptr;
  set_thread_arena(nullptr);
  s.close_arenas();
}

}  // namespace adaptive_pool
