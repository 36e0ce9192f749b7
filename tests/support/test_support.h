// Shared helpers of the Catch2 suites: guarded buffers, deterministic data, layout transposition,
// NaN-aware comparisons and a long-double oracle written independently of src/reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "geometry.h"
#include "window.h"

namespace ap_test {

using adaptive_pool::Layout;
using adaptive_pool::PoolGeometry;

// A buffer with poisoned guard regions on both sides, to prove nothing is written outside it.
// Floating buffers are poisoned with a NaN of a recognisable payload; int32 with a sentinel.
template <typename T>
class Guarded {
 public:
  static constexpr size_t kGuard = 64;

  explicit Guarded(int64_t n, T fill = poison()) : n_(static_cast<size_t>(n)) {
    storage_.assign(n_ + 2 * kGuard, poison());
    for (size_t i = 0; i < n_; ++i) storage_[kGuard + i] = fill;
  }
  T* data() { return storage_.data() + kGuard; }
  const T* data() const { return storage_.data() + kGuard; }
  int64_t size() const { return static_cast<int64_t>(n_); }
  T& operator[](int64_t i) { return data()[i]; }
  const T& operator[](int64_t i) const { return data()[i]; }
  std::vector<T> values() const { return std::vector<T>(data(), data() + n_); }

  bool guards_intact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (!is_poison(storage_[i]) || !is_poison(storage_[kGuard + n_ + i])) return false;
    }
    return true;
  }
  // True when no element of the buffer itself was written either (for calls that must fail).
  bool untouched() const {
    for (size_t i = 0; i < storage_.size(); ++i) {
      if (!is_poison(storage_[i])) return false;
    }
    return true;
  }

  static T poison() {
    if constexpr (std::is_floating_point<T>::value) {
      return std::numeric_limits<T>::quiet_NaN();
    } else {
      return static_cast<T>(0x7eadbeef);
    }
  }
  static bool is_poison(T v) {
    if constexpr (std::is_floating_point<T>::value) {
      T p = poison();
      return std::memcmp(&v, &p, sizeof(T)) == 0;
    } else {
      return v == poison();
    }
  }

 private:
  size_t n_;
  std::vector<T> storage_;
};

// Deterministic values on a 1/8 grid in [-4, 4): coarse enough that windows hold ties.
inline std::vector<double> grid_values(int64_t n, uint32_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<double>(static_cast<int>((s >> 16) % 64u) - 32) / 8.0;
  }
  return v;
}

// Sprinkles NaN, +inf and -inf over some positions: one in `spread` of each kind, staggered
// (the default 11 puts NaN in nearly every window; thousands leave most windows without any).
inline void add_specials(std::vector<double>* v, size_t spread = 11) {
  for (size_t i = 0; i < v->size(); ++i) {
    if (i % spread == 5) (*v)[i] = std::numeric_limits<double>::quiet_NaN();
    if (i % (spread + 2) == 7) (*v)[i] = -std::numeric_limits<double>::infinity();
    if (i % (spread + 18) == 3) (*v)[i] = std::numeric_limits<double>::infinity();
  }
}

template <typename T>
std::vector<T> cast_to(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// Offset of element (plane p, flattened spatial position pos) in a tensor of this geometry.
inline int64_t offset(const PoolGeometry& g, int64_t p, int64_t pos, int64_t plane_size) {
  if (g.layout == Layout::kChannelsFirst) return p * plane_size + pos;
  return ((p / g.channels) * plane_size + pos) * g.channels + p % g.channels;
}

// Reorders a tensor's elements from geometry `from`'s layout to geometry `to`'s (same logical
// tensor); `input` selects the input planes (true) or the output planes.
template <typename T>
std::vector<T> relayout(const std::vector<T>& data, const PoolGeometry& from,
                        const PoolGeometry& to, bool input) {
  std::vector<T> out(data.size());
  const int64_t plane = input ? from.in_plane() : from.out_plane();
  for (int64_t p = 0; p < from.planes(); ++p) {
    for (int64_t pos = 0; pos < plane; ++pos) {
      out[static_cast<size_t>(offset(to, p, pos, plane))] =
          data[static_cast<size_t>(offset(from, p, pos, plane))];
    }
  }
  return out;
}

// Equal, or both NaN.
template <typename T>
bool same_value(T a, T b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Within tol, or both NaN, or the same infinity.
template <typename T>
bool close_value(T a, T b, double tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= tol;
}

template <typename T>
double max_abs(const std::vector<T>& v) {
  double m = 0;
  for (T x : v) {
    if (std::isfinite(x)) m = std::fmax(m, std::fabs(static_cast<double>(x)));
  }
  return m;
}

// The tolerance the issue sets for averages and gradients.
template <typename T>
double avg_tolerance(double max_abs_input) {
  const double rel = sizeof(T) == 4 ? 1e-5 : 1e-12;
  return rel * std::fmax(1.0, max_abs_input);
}

// Long-double oracle, written per output element straight from SEMANTICS.md with its own index
// arithmetic (logical coordinates, not the reference's plane pointers).
struct Oracle {
  const PoolGeometry& g;

  struct Window {
    int64_t start[3], end[3];
  };
  Window window(int64_t o) const {
    Window w{};
    int64_t c[3] = {o / (g.out[1] * g.out[2]), (o / g.out[2]) % g.out[1], o % g.out[2]};
    for (int a = 0; a < 3; ++a) {
      w.start[a] = adaptive_pool::window_start(c[a], g.in[a], g.out[a]);
      w.end[a] = adaptive_pool::window_end(c[a], g.in[a], g.out[a]);
    }
    return w;
  }
  template <typename F>
  void for_each(const Window& w, F f) const {
    for (int64_t d = w.start[0]; d < w.end[0]; ++d)
      for (int64_t h = w.start[1]; h < w.end[1]; ++h)
        for (int64_t x = w.start[2]; x < w.end[2]; ++x) f((d * g.in[1] + h) * g.in[2] + x);
  }
  static long double count(const Window& w) {
    return static_cast<long double>((w.end[0] - w.start[0]) * (w.end[1] - w.start[1]) *
                                    (w.end[2] - w.start[2]));
  }

  template <typename T>
  std::vector<long double> avg_forward(const std::vector<T>& input) const {
    std::vector<long double> out(static_cast<size_t>(g.output_numel()));
    for (int64_t p = 0; p < g.planes(); ++p) {
      for (int64_t o = 0; o < g.out_plane(); ++o) {
        const Window w = window(o);
        long double sum = 0;
        for_each(w, [&](int64_t pos) {
          sum += input[static_cast<size_t>(offset(g, p, pos, g.in_plane()))];
        });
        out[static_cast<size_t>(offset(g, p, o, g.out_plane()))] = sum / count(w);
      }
    }
    return out;
  }

  template <typename T>
  std::vector<long double> avg_backward(const std::vector<T>& grad_output) const {
    std::vector<long double> gi(static_cast<size_t>(g.input_numel()), 0.0L);
    for (int64_t p = 0; p < g.planes(); ++p) {
      for (int64_t o = 0; o < g.out_plane(); ++o) {
        const Window w = window(o);
        const long double delta =
            grad_output[static_cast<size_t>(offset(g, p, o, g.out_plane()))] / count(w);
        for_each(w, [&](int64_t pos) {
          gi[static_cast<size_t>(offset(g, p, pos, g.in_plane()))] += delta;
        });
      }
    }
    return gi;
  }

  // Checks one max output against the rule; returns an empty string or what is wrong.
  template <typename T>
  std::string check_max(const std::vector<T>& input, int64_t p, int64_t o, T value,
                        int32_t index) const {
    const Window w = window(o);
    std::vector<int64_t> positions;
    for_each(w, [&](int64_t pos) { positions.push_back(pos); });
    auto at = [&](int64_t pos) {
      return input[static_cast<size_t>(offset(g, p, pos, g.in_plane()))];
    };
    // Expected: the last NaN if any; else the first position holding the largest value.
    int64_t expect = positions.front();
    bool nan = false;
    for (int64_t pos : positions) {
      if (std::isnan(at(pos))) {
        expect = pos;
        nan = true;
      }
    }
    if (!nan) {
      T best = -std::numeric_limits<T>::infinity();
      for (int64_t pos : positions) {
        if (at(pos) > best) {
          best = at(pos);
          expect = pos;
        }
      }
    }
    if (index != expect) {
      return "index " + std::to_string(index) + ", expected " + std::to_string(expect);
    }
    if (!same_value(value, at(expect))) return "value differs from input[index]";
    return "";
  }
};

}  // namespace ap_test
