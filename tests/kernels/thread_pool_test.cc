// The persistent pool: every item exactly once, small work inline, nested calls inline, and the
// pool reusable for many jobs.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "parallel.h"

using adaptive_pool::ThreadPool;

TEST_CASE("parallel_for covers [0, n) exactly once", "[parallel]") {
  for (int threads = 1; threads <= 4; ++threads) {
    ThreadPool pool(threads);
    REQUIRE(pool.threads() == threads);
    for (int64_t n : {0, 1, 2, 3, 5, 17, 100, 1000}) {
      for (int64_t grain : {1, 4, 1000}) {
        // Catch2 assertions are not thread-safe: workers only count, the test thread checks.
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::atomic<int> empty_chunks{0};
        pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
          if (b >= e) empty_chunks++;
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
        });
        REQUIRE(empty_chunks.load() == 0);
        for (auto& h : hits) REQUIRE(h.load() == 1);
      }
    }
  }
}

TEST_CASE("work below the grain stays on the calling thread", "[parallel]") {
  ThreadPool pool(3);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  pool.parallel_for(10, 100, [&](int64_t, int64_t) {
    if (std::this_thread::get_id() != caller) elsewhere++;
  });
  REQUIRE(elsewhere.load() == 0);
}

TEST_CASE("large work is cut into chunks, and nested calls run inline", "[parallel]") {
  ThreadPool pool(2);
  std::atomic<int> chunks{0};
  std::atomic<int64_t> nested_items{0};
  pool.parallel_for(1000, 1, [&](int64_t b, int64_t e) {
    chunks++;
    pool.parallel_for(e - b, 1, [&](int64_t nb, int64_t ne) { nested_items += ne - nb; });
  });
  REQUIRE(chunks.load() == 8);  // four per thread
  REQUIRE(nested_items.load() == 1000);
}

TEST_CASE("slow chunks are shared with a worker", "[parallel]") {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  WARN("skipped: a wasm build without -pthread has no worker threads");
  return;
#endif
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> on_worker{0};
  pool.parallel_for(8, 1, [&](int64_t, int64_t) {
    if (std::this_thread::get_id() != caller) on_worker++;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  REQUIRE(on_worker.load() > 0);
}

TEST_CASE("one pool serves many jobs", "[parallel]") {
  ThreadPool pool(4);
  int64_t total = 0;
  for (int job = 0; job < 2000; ++job) {
    std::atomic<int64_t> sum{0};
    pool.parallel_for(64, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) sum += i;
    });
    total += sum.load();
  }
  REQUIRE(total == 2000 * (63 * 64 / 2));
}
