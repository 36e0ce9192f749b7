// Quick native timing of the kernels on the bench cases (development aid; the real numbers come
// from bench/run.mjs in wasm). Build and run:
//   g++ -O3 -std=c++17 -Isrc bench/native_bench.cc src/*.cc src/kernels/*.cc src/reference/*.cc \
//       -lpthread -o native_bench && ./native_bench [threads] [filter | OP:LAYOUT:SHAPE:OUTPUT]
// In wasm with the package's flags (how the kernel comments' A/B numbers are taken, two builds run
// in alternation):
//   em++ -O3 -DNDEBUG -msimd128 -mbulk-memory -std=c++17 -Isrc bench/native_bench.cc src/*.cc \
//       src/kernels/*.cc src/reference/*.cc -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=256MB \
//       -sENVIRONMENT=node -o nb.js && node --no-experimental-fetch --no-liftoff nb.js 1
// --no-liftoff: otherwise V8 may still run a kernel's baseline code when timing starts, and short
// cases come out bimodal (vgg-divisible 0.08 or 0.18 ms from run to run of the same build).
// Even so a whole process can run slow (odd-13x17: 0.16 ms in some processes of one build, 0.27 in
// others, with ASLR off too, on either core): compare the fastest of eight or more alternating
// runs of each build, not one pair. bench/profile.sh shows where a case spends its time.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "adaptive_pool.h"
#include "kernels/roofline.h"
#include "parallel.h"

using namespace adaptive_pool;

struct Case {
  std::string name;
  std::string op;
  Layout layout;
  std::vector<int64_t> shape, output;
};

// CPU time of the calling thread: on a shared, overloaded machine wall time mostly measures the
// scheduler. (With threads > 1 this undercounts the workers; use wall time there.)
double now_ms(bool cpu) {
  timespec ts;
  clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

bool g_cpu_time = true;

template <typename F>
double median_ms(F f) {
  for (int i = 0; i < 3; ++i) f();
  std::vector<double> t;
  const double start = now_ms(false);
  while (t.size() < 7 || (t.size() < 300 && now_ms(false) - start < 300)) {
    const double a = now_ms(g_cpu_time);
    f();
    t.push_back(now_ms(g_cpu_time) - a);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// "1x2x3" -> {1, 2, 3}.
std::vector<int64_t> parse_sizes(const std::string& text) {
  std::vector<int64_t> v;
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find('x', i);
    if (j == std::string::npos) j = text.size();
    v.push_back(std::atoll(text.substr(i, j - i).c_str()));
    i = j + 1;
  }
  return v;
}

// A case given on the command line, OP:LAYOUT:SHAPE:OUTPUT (avg_backward:NCHW:3x256x28x28:56x56;
// SHAPE is logical N, C, spatial... as in bench/cases.json), for timing or profiling a shape the
// fixed cases do not cover. Returns false when `spec` is not one (a name filter, then).
bool parse_case(const std::string& spec, Case* c) {
  std::vector<std::string> f;
  for (size_t i = 0; i <= spec.size();) {
    size_t j = spec.find(':', i);
    if (j == std::string::npos) j = spec.size();
    f.push_back(spec.substr(i, j - i));
    i = j + 1;
  }
  if (f.size() != 4) return false;
  c->name = spec;
  c->op = f[0];
  c->layout = f[1] == "NHWC" ? Layout::kChannelsLast : Layout::kChannelsFirst;
  c->shape = parse_sizes(f[2]);
  c->output = parse_sizes(f[3]);
  return true;
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  std::string filter = argc > 2 ? argv[2] : "";
#ifdef __EMSCRIPTEN__
  g_cpu_time = false;  // no per-thread CPU clock in wasm
#else
  g_cpu_time = threads == 1 && std::getenv("AP_WALL") == nullptr;
#endif
  const Layout F = Layout::kChannelsFirst, L = Layout::kChannelsLast;
  std::vector<Case> cases = {
      {"resnet18-head", "avg", F, {32, 512, 7, 7}, {1, 1}},
      {"resnet50-head", "avg", F, {8, 2048, 7, 7}, {1, 1}},
      {"resnet50-head-nhwc", "avg", L, {8, 2048, 7, 7}, {1, 1}},
      {"vgg-divisible", "avg", F, {8, 512, 14, 14}, {7, 7}},
      {"odd-13x17", "avg", F, {8, 256, 13, 17}, {7, 7}},
      {"odd-13x17-nhwc", "avg", L, {8, 256, 13, 17}, {7, 7}},
      {"grow-5to7", "avg", F, {16, 64, 5, 5}, {7, 7}},
      {"near-identity", "avg", F, {4, 16, 256, 256}, {255, 255}},
      {"grow-2x", "avg", F, {4, 16, 64, 64}, {128, 128}},
      {"image-1080p", "avg", F, {1, 3, 1080, 1920}, {224, 224}},
      {"image-1080p-nhwc", "avg", L, {1, 3, 1080, 1920}, {224, 224}},
      {"audio-1d", "avg", F, {16, 80, 3000}, {100}},
      {"video-3d", "avg", F, {2, 64, 16, 56, 56}, {4, 7, 7}},
      {"max-odd-13x17", "max", F, {8, 256, 13, 17}, {7, 7}},
      {"max-image-1080p", "max", F, {1, 3, 1080, 1920}, {224, 224}},
      {"avg-bwd-odd", "avg_backward", F, {8, 256, 13, 17}, {7, 7}},
      {"avg-bwd-image", "avg_backward", F, {1, 3, 1080, 1920}, {224, 224}},
      {"max-bwd-odd", "max_backward", F, {8, 256, 13, 17}, {7, 7}},
  };
  Case given;
  if (parse_case(filter, &given)) {
    cases = {given};
    filter = "";
  }
  ThreadPool pool(threads);
  std::printf("%-20s %10s %10s %8s\n", "case", "ms", "roofline", "ratio");
  for (const Case& c : cases) {
    if (c.name.find(filter) == std::string::npos) continue;
    std::vector<int64_t> shape = c.shape;
    if (c.layout == L) {  // memory order [N, spatial..., C]
      shape.erase(shape.begin() + 1);
      shape.push_back(c.shape[1]);
    }
    const int dims = static_cast<int>(c.shape.size()) - 2;
    const bool max = c.op[0] == 'm';
    PoolGeometry g;
    plan_forward(max ? PoolKind::kMax : PoolKind::kAvg, dims, c.layout, shape, c.output, &g);
    std::vector<float> x(static_cast<size_t>(g.input_numel())),
        y(static_cast<size_t>(g.output_numel()));
    std::vector<int32_t> idx(y.size());
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1, 1);
    for (auto& v : x) v = u(rng);
    if (max)
      max_pool_forward<float>(g, x.data(), g.input_numel(), y.data(), idx.data(), g.output_numel(),
                              &pool);
    double ms = 0;
    const std::string op = c.op;
    if (op == "avg")
      ms = median_ms([&] {
        avg_pool_forward<float>(g, x.data(), g.input_numel(), y.data(), g.output_numel(), &pool);
      });
    if (op == "max")
      ms = median_ms([&] {
        max_pool_forward<float>(g, x.data(), g.input_numel(), y.data(), idx.data(),
                                g.output_numel(), &pool);
      });
    if (op == "avg_backward")
      ms = median_ms([&] {
        avg_pool_backward<float>(g, y.data(), g.output_numel(), x.data(), g.input_numel(), &pool);
      });
    if (op == "max_backward")
      ms = median_ms([&] {
        max_pool_backward<float>(g, y.data(), idx.data(), g.output_numel(), x.data(),
                                 g.input_numel(), &pool);
      });
    volatile float sink = 0;
    const double roof =
        median_ms([&] { sink = sink + kernels::roofline_read_f32(x.data(), g.input_numel()); });
    std::printf("%-20s %10.3f %10.3f %8.2f\n", c.name.c_str(), ms, roof, ms / roof);
  }
}
