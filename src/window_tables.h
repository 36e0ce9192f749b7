// The per-axis window tables of one call, in the D, H, W order of PoolGeometry. The op layer builds
// them once (from src/window.h) and every kernel and the reference read them.
#pragma once

#include "geometry.h"
#include "window.h"

namespace adaptive_pool {

struct WindowTables {
  AxisWindows d;
  AxisWindows h;
  AxisWindows w;
};

inline WindowTables make_window_tables(const PoolGeometry& g) {
  return {AxisWindows(g.in[0], g.out[0]), AxisWindows(g.in[1], g.out[1]),
          AxisWindows(g.in[2], g.out[2])};
}

}  // namespace adaptive_pool
