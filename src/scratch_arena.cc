#include "scratch_arena.h"

#include <algorithm>
#include <cstdint>
#include <new>

#include "sanitizer.h"

namespace adaptive_pool {

namespace {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
// One thread only, and wasm-ld refuses thread_local storage in a build without atomics.
ScratchArena* t_arena = nullptr;
#else
thread_local ScratchArena* t_arena = nullptr;
#endif
}  // namespace

ScratchArena open_arena(size_t bytes) {
  ScratchArena a;
  if (bytes > 0) {
    a.base = static_cast<char*>(::operator new(bytes, std::align_val_t(kCacheLine)));
    a.capacity = bytes;
    poison_memory(a.base, bytes);
  }
  return a;
}

void close_arena(ScratchArena* a) {
  if (a->base != nullptr) {
    unpoison_memory(a->base, a->capacity);
    ::operator delete(a->base, std::align_val_t(kCacheLine));
  }
  *a = ScratchArena{};
}

void set_thread_arena(ScratchArena* arena) { t_arena = arena; }

void* scratch_allocate(size_t bytes) {
  ScratchArena* a = t_arena;
  if (a == nullptr) return ::operator new(bytes, std::align_val_t(kCacheLine));
  void* p;
  if (a->capacity - a->used >= bytes) {
    p = a->base + a->used;
    a->used += bytes;
    unpoison_memory(p, bytes);
  } else {
    p = ::operator new(bytes, std::align_val_t(kCacheLine));
    a->overflow += bytes;
  }
  a->peak = std::max(a->peak, a->used + a->overflow);
  return p;
}

void scratch_release(void* p, size_t bytes) {
  ScratchArena* a = t_arena;
  const uintptr_t at = reinterpret_cast<uintptr_t>(p),
                  base = reinterpret_cast<uintptr_t>(a != nullptr ? a->base : nullptr);
  if (a != nullptr && at >= base && at < base + a->capacity) {
    if (at + bytes == base + a->used) a->used -= bytes;
    poison_memory(p, bytes);  // taken back or not, nothing may use it now
    return;
  }
  if (a != nullptr) a->overflow -= bytes;
  ::operator delete(p, std::align_val_t(kCacheLine));
}

}  // namespace adaptive_pool
