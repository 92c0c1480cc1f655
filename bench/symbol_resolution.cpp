// Symbol-resolution speed on the largest packaged library on this machine (or
// the files given as arguments): index time, regex scan time, near-match time.
// Prints numbers only; the target is "well under a second" per library.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "symbols/symbol_matcher.h"

namespace fs = std::filesystem;
using bpfpads::PathSegment;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Largest *.so* under the multiarch and LLVM library dirs: files that Debian
// packages install.
std::string largest_packaged_library() {
  std::vector<fs::path> dirs{"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib", ec))
    if (e.path().filename().string().starts_with("llvm-")) dirs.push_back(e.path() / "lib");
  std::string best;
  uintmax_t best_size = 0;
  for (const auto& d : dirs) {
    for (const auto& e : fs::directory_iterator(d, ec)) {
      if (!e.is_regular_file(ec) || e.is_symlink(ec)) continue;
      if (e.path().filename().string().find(".so") == std::string::npos) continue;
      uintmax_t size = e.file_size(ec);
      if (!ec && size > best_size && bpfpads::ElfFile::open(e.path().string())) {
        best_size = size;
        best = e.path().string();
      }
    }
  }
  return best;
}

template <typename F>
double best_of(int runs, F&& f) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

void bench(const std::string& path) {
  constexpr int kRuns = 5;
  size_t count = 0;
  double index_ms = best_of(kRuns, [&] {
    auto idx = bpfpads::SymbolIndex::build(path);
    count = idx ? idx->symbols().size() : 0;
  });
  auto idx = bpfpads::SymbolIndex::open(path);
  if (!idx) {
    std::printf("%s: %s\n", path.c_str(), idx.error().describe().c_str());
    return;
  }
  size_t mangled = 0;
  for (const auto& s : idx->symbols()) mangled += !s.demangled.empty();
  double cached_ms = best_of(kRuns, [&] { (void)bpfpads::SymbolIndex::open(path); });

  // A regex against every symbol's last component (the worst case: no
  // length filter), and a typical mapping path with regex segments.
  auto any = bpfpads::PythonRegex::compile("(get|set|run)[A-Z].*Pass$");
  size_t any_hits = 0;
  double regex_all_ms = best_of(kRuns, [&] {
    any_hits = 0;
    for (const auto& s : idx->symbols()) any_hits += any->match_at_start(s.components.back());
  });
  std::vector<PathSegment> path_re{{false, "llvm"}, {true, ".*"}, {true, "run"}};
  auto matcher = bpfpads::SymbolPathMatcher::compile(path_re);
  size_t targets = 0;
  double path_ms = best_of(kRuns, [&] { targets = bpfpads::match_symbols(*idx, *matcher).size(); });
  std::vector<PathSegment> typo{{false, "llvm"}, {false, "PassManagr"}, {false, "run"}};
  size_t near = 0;
  double near_ms = best_of(kRuns, [&] { near = bpfpads::near_matches(*idx, typo).size(); });

  std::printf("%s: %zu function symbols (%zu C++), build-id %s\n", path.c_str(), count, mangled,
              idx->build_id().empty() ? "none" : idx->build_id().c_str());
  std::printf("  index (open+read+demangle+split+endbr): %.1f ms; cached open: %.2f ms\n", index_ms,
              cached_ms);
  std::printf("  regex over all %zu symbols: %.2f ms (%zu hits)\n", count, regex_all_ms, any_hits);
  std::printf("  path llvm.{re:.*}.{re:run}: %.2f ms (%zu targets)\n", path_ms, targets);
  std::printf("  near matches for a typo path: %.1f ms (%zu suggestions)\n", near_ms, near);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    std::string best = largest_packaged_library();
    if (best.empty()) {
      std::printf("no packaged shared library found; pass files as arguments\n");
      return 1;
    }
    files.push_back(best);
  }
  std::printf("best of 5 runs each\n");
  for (const auto& f : files) bench(f);
  return 0;
}
