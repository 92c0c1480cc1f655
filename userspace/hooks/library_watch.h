// The library-load watch (bpf/library_watch.bpf.c): a uprobe on each dynamic
// loader's _dl_debug_state(), told where the loader's _r_debug is and which object
// names are worth stopping the process for.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

class BpfPrograms;

// &_r_debug - &_dl_debug_state in a loader file, and the page offset of
// _dl_debug_state: what the BPF side needs to find _r_debug from the probed address.
struct LoaderDebugSymbols {
  uint32_t page_offset = 0;
  int64_t r_debug_delta = 0;
};
Result<LoaderDebugSymbols> loader_debug_symbols(const std::string& loader_path);

// The config for object file names starting with one of `prefixes`; match_all when
// any stop may matter or a prefix does not fit the BPF bounds. With new_programs,
// every program also stops at its first load event (executable targets).
bp_lib_watch_config lib_watch_config(const std::vector<std::string>& prefixes, bool match_all,
                                     bool new_programs = false);

class LibraryWatch {
 public:
  explicit LibraryWatch(BpfPrograms& programs) : programs_(programs) {}

  Result<> set_config(const bp_lib_watch_config& config);
  // Attaches to one loader. Without its _r_debug the watch stops at every call.
  Result<> watch(const std::filesystem::path& dynamic_loader);
  // Hands the loader probes over to be dropped together with the run's other links.
  void release_links(std::vector<BpfLinkPtr>& out) {
    for (auto& l : links_) out.push_back(std::move(l));
    links_.clear();
  }

 private:
  BpfPrograms& programs_;
  std::vector<BpfLinkPtr> links_;
  std::vector<LoaderDebugSymbols> loaders_;
};

}  // namespace bpfpads
