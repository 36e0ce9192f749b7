// A main for the fuzz target where there is no libFuzzer: the wasm test builds, where the kernels
// are the ones the package ships (real SIMD128, threads in Node's workers) instead of their native
// build on simde. Runs LLVMFuzzerTestOneInput once per file of each folder (or file) named on the
// command line, in name order, so the corpus the native fuzz step leaves behind (the inputs that
// reached new code there) checks the wasm kernels too. A failing input aborts with the fuzz
// target's message; the line before it names the file.
#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The files of `path` when it is a folder (hidden ones left out), else `path` itself.
std::vector<std::string> inputs_of(const std::string& path) {
  std::vector<std::string> files;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return {path};
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') files.push_back(path + "/" + e->d_name);
  }
  closedir(dir);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (int a = 1; a < argc; ++a) {
    for (const std::string& file : inputs_of(argv[a])) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 1;
      }
      const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
      std::printf("input %s\n", file.c_str());
      std::fflush(stdout);
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      ++runs;
    }
  }
  if (runs == 0) {
    std::fprintf(stderr, "no inputs: name corpus folders or files\n");
    return 1;
  }
  std::printf("%zu inputs passed\n", runs);
  return 0;
}
