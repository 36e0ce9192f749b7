// Scratch memory for the threads of a parallel job, handed out without calling malloc.
//
// Why: the wasm build has one malloc, behind one lock, and a thread that finds it taken sleeps in
// a futex wait that costs tens of microseconds to wake from. Kernels that allocated their scratch
// at the start of every chunk made two threads slower than one on sub-millisecond calls (the
// 13x17 plane groups: avg-bwd-odd 0.13 ms at one thread, 0.22 ms at two). So ThreadPool gives
// every thread of a job an arena that the calling thread allocated before the job started and
// frees after it ends; workers only bump a pointer. Outside a job (one thread, small calls) and
// when an arena is full, memory comes from the heap as before. Arenas are as large as the largest
// peak of the jobs before, so a repeated call never touches the heap on a worker.
#pragma once

#include <cstddef>

namespace adaptive_pool {

constexpr size_t kCacheLine = 64;

// One thread's arena for one job: [base, base + capacity), of which [base, base + used) is taken;
// overflow: bytes the heap gave while the arena was full; peak: the most used + overflow reached,
// which sizes the later jobs' arenas.
struct ScratchArena {
  char* base = nullptr;
  size_t capacity = 0;
  size_t used = 0;
  size_t overflow = 0;
  size_t peak = 0;
};

// An arena of `bytes` (none for 0), and its release. Until handed out, its memory is poisoned for
// AddressSanitizer (sanitizer.h).
ScratchArena open_arena(size_t bytes);
void close_arena(ScratchArena* arena);

// Makes `arena` the calling thread's arena (nullptr: none, allocate from the heap).
void set_thread_arena(ScratchArena* arena);

// `bytes` (a multiple of kCacheLine) on a cache line: from the calling thread's arena when it has
// room, else from the heap. Release in the reverse order of allocation (scopes do): an arena
// only takes back its most recent allocation, and anything else it holds is freed with the job.
void* scratch_allocate(size_t bytes);
void scratch_release(void* p, size_t bytes);

}  // namespace adaptive_pool
