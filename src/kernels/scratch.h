// Scratch arrays of one work range, that is of one thread. Every array a kernel writes besides its
// output lives in one of these: it starts on a cache line and ends on one, so no other thread's
// data shares its lines, and inside a parallel job it comes from the thread's arena instead of
// malloc (scratch_arena.h says why).
//
// Why it matters: std::vector gives 8- or 16-byte aligned memory, so two threads' small scratch
// arrays (a row's window pointers, a column buffer) could sit in one 64-byte line. Every write then
// takes the line away from the other core: near-identity at two threads took 1.34 ms against 1.24
// ms at one thread until the per-row pointer list had a line of its own (0.89 ms after).
// The aligned start also keeps vector loads and stores of scratch rows from straddling lines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "../sanitizer.h"
#include "../scratch_arena.h"

namespace adaptive_pool {
namespace kernels {

template <typename T>
class Scratch {
 public:
  // n elements, each set to `fill`; none (and no memory) for n <= 0.
  explicit Scratch(int64_t n, T fill = T())
      : size_(static_cast<size_t>(n > 0 ? n : 0)),
        bytes_((size_ * sizeof(T) + kCacheLine - 1) / kCacheLine * kCacheLine),
        data_(size_ > 0 ? static_cast<T*>(scratch_allocate(bytes_)) : nullptr) {
    if (data_ == nullptr) return;  // std::fill may become memset, and memset(nullptr, 0) is UB
    std::fill(data_, data_ + size_, fill);
    poison_memory(data_ + size_, padding());
  }
  Scratch() : Scratch(0) {}
  ~Scratch() {
    if (data_ == nullptr) return;
    unpoison_memory(data_ + size_, padding());
    scratch_release(data_, bytes_);
  }
  // Movable, so a plan built once per work range can be returned by value (row_windows.h).
  Scratch(Scratch&& o) noexcept : size_(o.size_), bytes_(o.bytes_), data_(o.data_) {
    o.size_ = o.bytes_ = 0;
    o.data_ = nullptr;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  size_t padding() const { return bytes_ - size_ * sizeof(T); }  // to the last line's end

  size_t size_, bytes_;
  T* data_;
};

}  // namespace kernels
}  // namespace adaptive_pool
