// Scratch memory of parallel jobs: the arena hands out aligned, whole-line blocks, takes back only
// its latest one, falls back to the heap when full and remembers how much it wanted; the pool's
// threads get arenas that never overlap, job after job.
#include "scratch_arena.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/scratch.h"
#include "parallel.h"

using namespace adaptive_pool;

namespace {
bool aligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kCacheLine == 0; }

bool inside(const ScratchArena& a, const void* p) {
  const char* c = static_cast<const char*>(p);
  return c >= a.base && c < a.base + a.capacity;
}
}  // namespace

TEST_CASE("an arena hands out its memory in order and takes back the latest block", "[scratch]") {
  alignas(64) static char buffer[4 * kCacheLine];
  ScratchArena arena;
  arena.base = buffer;
  arena.capacity = sizeof buffer;
  set_thread_arena(&arena);

  void* a = scratch_allocate(kCacheLine);
  void* b = scratch_allocate(2 * kCacheLine);
  REQUIRE(a == buffer);
  REQUIRE(b == buffer + kCacheLine);
  REQUIRE(arena.used == 3 * kCacheLine);

  // Full: the heap steps in, and the arena counts what it would have needed.
  void* c = scratch_allocate(2 * kCacheLine);
  REQUIRE_FALSE(inside(arena, c));
  REQUIRE(aligned(c));
  std::memset(c, 1, 2 * kCacheLine);
  REQUIRE(arena.overflow == 2 * kCacheLine);
  REQUIRE(arena.peak == 5 * kCacheLine);
  scratch_release(c, 2 * kCacheLine);
  REQUIRE(arena.overflow == 0);

  // Out of order: a is not the latest block, so it stays taken until b goes.
  scratch_release(a, kCacheLine);
  REQUIRE(arena.used == 3 * kCacheLine);
  scratch_release(b, 2 * kCacheLine);
  REQUIRE(arena.used == kCacheLine);
  REQUIRE(arena.peak == 5 * kCacheLine);
  set_thread_arena(nullptr);
}

TEST_CASE("Scratch arrays are filled, aligned and padded to whole lines", "[scratch]") {
  ScratchArena arena;
  alignas(64) static char buffer[8 * kCacheLine];
  arena.base = buffer;
  arena.capacity = sizeof buffer;
  set_thread_arena(&arena);
  {
    kernels::Scratch<float> x(3, 2.5f);  // 12 bytes: one line
    kernels::Scratch<int64_t> y(9, -1);  // 72 bytes: two lines
    REQUIRE(aligned(x.data()));
    REQUIRE(aligned(y.data()));
    REQUIRE(reinterpret_cast<char*>(y.data()) - reinterpret_cast<char*>(x.data()) == kCacheLine);
    REQUIRE(arena.used == 3 * kCacheLine);
    REQUIRE(x.size() == 3);
    for (float v : x) REQUIRE(v == 2.5f);
    for (int64_t v : y) REQUIRE(v == -1);
  }
  REQUIRE(arena.used == 0);
  {
    // A move hands the block over: it goes back to the arena once, when its new owner ends.
    kernels::Scratch<float> a(20, 1.0f);
    float* block = a.data();
    kernels::Scratch<float> b(std::move(a));
    REQUIRE(b.data() == block);
    REQUIRE(a.data() == nullptr);
    REQUIRE(a.empty());
    REQUIRE(arena.used == 2 * kCacheLine);
  }
  REQUIRE(arena.used == 0);
  {
    kernels::Scratch<float> none(0);  // no elements, no memory
    REQUIRE(none.data() == nullptr);
    REQUIRE(arena.used == 0);
  }
  set_thread_arena(nullptr);

  kernels::Scratch<double> z(5, 1.0);  // no arena: from the heap
  REQUIRE(aligned(z.data()));
  REQUIRE(z[4] == 1.0);
}

TEST_CASE("threads of a job never share scratch memory, job after job", "[scratch][parallel]") {
  // Each chunk fills its scratch with its own number, lets the other threads run, and checks that
  // nothing else wrote there. The first job sizes the arenas; the later ones run from them.
  for (int threads = 2; threads <= 4; ++threads) {
    ThreadPool pool(threads);
    for (int job = 0; job < 20; ++job) {
      std::atomic<int> clobbered{0};
      pool.parallel_for(64, 1, [&](int64_t b, int64_t e) {
        for (int64_t chunk = b; chunk < e; ++chunk) {
          kernels::Scratch<int64_t> a(100 + job, chunk), c(7, -chunk);
          for (int spin = 0; spin < 2000; ++spin) {
            if (a[static_cast<size_t>(spin % a.size())] != chunk || c[3] != -chunk) clobbered++;
          }
        }
      });
      REQUIRE(clobbered.load() == 0);
    }
  }
}
