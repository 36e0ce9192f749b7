// AddressSanitizer annotations for memory the core hands out itself. A scratch arena is one heap
// block, and a Scratch array is rounded up to whole cache lines, so ASan alone would let a kernel
// read or write past its scratch without a word; marked here, a sanitizer build stops there as it
// does past a heap buffer. No-ops in every other build.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)  // g++
#define AP_ADDRESS_SANITIZER 1
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer)
#define AP_ADDRESS_SANITIZER 1
#endif
#endif

#if defined(AP_ADDRESS_SANITIZER)
#include <sanitizer/asan_interface.h>
#endif

namespace adaptive_pool {

// poison_memory: [p, p + bytes) may not be touched until unpoison_memory gives it back.
#if defined(AP_ADDRESS_SANITIZER)
inline void poison_memory(const void* p, size_t bytes) { ASAN_POISON_MEMORY_REGION(p, bytes); }
inline void unpoison_memory(const void* p, size_t bytes) { ASAN_UNPOISON_MEMORY_REGION(p, bytes); }
#else
inline void poison_memory(const void*, size_t) {}
inline void unpoison_memory(const void*, size_t) {}
#endif

}  // namespace adaptive_pool
