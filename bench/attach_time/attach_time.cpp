// Bench only: attach time of bpfpads' hooks on many functions of one binary,
// uprobe_multi (one link per binary and program) against classic (one uprobe link
// per probe), side by side from one run. Both modes use bpfpads' own HookPrograms +
// HookAttacher::attach_uprobes(); only HookProgramOptions::allow_uprobe_multi differs.
//
//   sudo build/bench/attach_time/bench_attach_time [LIBRARY] [--rounds R] [--counts 10,100,300]
//                                                  [--multi-only]
//
// Dropping a classic link costs the kernel a synchronisation per probe (about 0.1 s
// each on the bench VM), so classic counts beyond a few hundred take minutes;
// --multi-only times uprobe_multi alone, for the large counts.
//
// LIBRARY defaults to libbaf_many_functions.so next to the binary (4000 functions
// that no other process maps: probes are inode-wide, a system library would slow
// every process using it while attached).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hooks/hook_attacher.h"
#include "kernel/bpf_programs.h"
#include "kernel/hook_programs.h"
#include "kernel/shared_maps.h"
#include "symbols/symbol_index.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Timing {
  double attach_ms = 0, detach_ms = 0;
  size_t failed = 0;
};

// Attaches `n` functions (entry, or entry+return) in one batch, then drops them all.
Timing attach_and_drop(bpfpads::HookPrograms& programs, const std::vector<bpfpads::UprobeHook>& all, size_t n,
                       bool paired) {
  std::vector<bpfpads::UprobeHook> batch(all.begin(), all.begin() + static_cast<long>(n));
  for (auto& h : batch) h.paired = paired;
  Timing t;
  auto attacher = std::make_unique<bpfpads::HookAttacher>(programs);
  auto t0 = Clock::now();
  t.failed = attacher->attach_uprobes(batch).size();
  t.attach_ms = ms_since(t0);
  t0 = Clock::now();
  attacher.reset();
  t.detach_ms = ms_since(t0);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string library =
      (std::filesystem::path(argv[0]).parent_path() / "libbaf_many_functions.so").string();
  int rounds = 3;
  std::vector<size_t> counts = {10, 100, 300};
  bool multi_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (a == "--multi-only") {
      multi_only = true;
    } else if (a == "--counts" && i + 1 < argc) {
      counts.clear();
      std::stringstream in(argv[++i]);
      for (std::string c; std::getline(in, c, ',');) counts.push_back(std::stoul(c));
    } else {
      library = a;
    }
  }
  auto index = bpfpads::SymbolIndex::build(library);
  if (!index) {
    std::fprintf(stderr, "%s\n", index.error().describe().c_str());
    return 2;
  }
  // Distinct function entry points, hook ids 0.. in symbol order (as a {re:} would).
  std::vector<bpfpads::UprobeHook> all;
  std::set<uint64_t> offsets;
  for (const auto& s : index->symbols()) {
    if (s.size == 0 || s.ifunc || s.secondary || !offsets.insert(s.probe_offset).second) continue;
    if (all.size() >= BP_MAX_HOOKS) break;
    all.push_back({static_cast<uint32_t>(all.size()), {library, s.probe_offset, s.name}, false});
  }
  std::printf("%s: %zu functions usable\n", library.c_str(), all.size());

  bpfpads::BpfOptions core_options;
  auto maps = bpfpads::SharedMaps::create(core_options.max_processes, core_options.ring_buffer_bytes);
  if (!maps) {
    std::fprintf(stderr, "%s\n", maps.error().describe().c_str());
    return 2;
  }
  std::map<bool, std::unique_ptr<bpfpads::HookPrograms>> programs;
  for (bool multi : {true, false}) {
    if (multi_only && !multi) continue;
    auto p = bpfpads::HookPrograms::load(*maps, {.allow_uprobe_multi = multi});
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().describe().c_str());
      return 2;
    }
    if ((*p)->uprobe_multi() != multi) {
      std::fprintf(stderr, "this kernel has no uprobe_multi: nothing to compare\n");
      return 2;
    }
    programs[multi] = std::move(*p);
  }

  std::printf("%d rounds, medians in ms; noisy: a shared 2-vCPU guest\n", rounds);
  std::printf("%-9s %-13s %14s %14s %9s %14s %14s %9s\n", "functions", "probes", "classic attach",
              "multi attach", "ratio", "classic detach", "multi detach", "ratio");
  for (size_t n : counts) {
    n = std::min(n, all.size());
    for (bool paired : {false, true}) {
      std::map<bool, std::vector<double>> attach, detach;
      size_t failed = 0;
      for (int r = 0; r < rounds; ++r)
        for (bool multi : {r % 2 == 0, r % 2 != 0}) {  // alternate which mode goes first
          if (!programs.count(multi)) continue;
          Timing t = attach_and_drop(*programs[multi], all, n, paired);
          attach[multi].push_back(t.attach_ms);
          detach[multi].push_back(t.detach_ms);
          failed += t.failed;
        }
      double ca = median(attach[false]), ma = median(attach[true]);
      double cd = median(detach[false]), md = median(detach[true]);
      std::printf("%-9zu %-13s %14.1f %14.1f %8.1fx %14.1f %14.1f %8.1fx%s\n", n,
                  paired ? "entry+return" : "entry", ca, ma, ma > 0 ? ca / ma : 0, cd, md, md > 0 ? cd / md : 0,
                  failed ? "  (some attaches failed!)" : "");
    }
  }
  return 0;
}
