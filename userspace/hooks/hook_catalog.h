// Every hook of a run: mapping entries resolved against the files a tracked
// process maps, each (entry, symbol) pair with its own id — the attach cookie — so
// that a record says exactly which function was hit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "hooks/hook_layout.h"
#include "mapping/mapping_model.h"
#include "mapping/pipeline_config.h"

namespace bpfpads {

struct LoadedMapping {
  MappingFile file;
  std::string path;   // where it was read from
  bool shipped = false;
};

struct Hook {
  uint32_t id = 0;
  const LoadedMapping* mapping = nullptr;
  const MappingEntry* entry = nullptr;
  std::string function;     // demangled symbol, or provider:name for USDT
  std::string binary;       // the file it is attached in (as opened by us)
  std::string library_version;  // of that file, as its mapping's constraint saw it
  bool usdt = false;
  uint64_t file_offset = 0; // uprobe: where the breakpoint goes
  bool single_stepped = false;  // the kernel single-steps the first instruction: a dear trap
  double hit_cost_us = 0.5;     // what the hot-hook guard charges per hit (symbols/probe_site.h)
  std::string usdt_provider, usdt_name;
  HookLayout layout;
  std::vector<std::string> events;  // event types its hooks fire
  bool detached = false;
  std::string detached_reason;
  bool python = false;  // a Python target: `function` is its dotted path
};

// What the run records about each mapping file.
struct MappingUse {
  std::string name;         // file name
  std::string version;      // the mapping file's own version
  std::string library;      // metadata.library.name
  std::string library_version;  // found, "unknown" when not
  std::string status;       // "active", or why it was skipped
  size_t hooks = 0;         // hooks attached from it
};

// How many of a mapping file's entries name Python targets (python/python_tracker.h).
size_t python_entry_count(const LoadedMapping& mapping);

class HookCatalog {
 public:
  HookCatalog(std::vector<LoadedMapping> mappings, PipelineConfig config);

  bool has_native_targets() const;
  // Hooks of every native entry whose target `file` satisfies. Each file identity is
  // resolved once; later calls return nothing for it. `display` is the path as the
  // process sees it, `open_path` a path we can open (/proc/PID/root/...).
  Result<std::vector<Hook*>> resolve_file(const std::string& open_path, const std::string& display,
                                          bool is_executable);
  bool resolved(const std::string& identity) const { return seen_.count(identity) != 0; }

  // One hook per Python entry whose path is all literal segments (ids before any
  // native hook's); entries with a regex segment are not supported yet: their notes.
  std::vector<std::string> add_python_hooks();
  // What became of a mapping file's Python entries, for its status in the run.
  void set_python_use(const LoadedMapping* mapping, const std::string& library_version, const std::string& status,
                      size_t hooks);

  Hook* find(uint32_t id);
  const std::vector<std::unique_ptr<Hook>>& hooks() const { return hooks_; }
  const std::vector<LoadedMapping>& mappings() const { return mappings_; }
  const PipelineConfig& config() const { return config_; }
  std::vector<MappingUse> mapping_uses() const;
  // Native entries that matched no symbol in any file they were resolved against,
  // only those of non-shipped mapping files when `user_files_only`.
  std::vector<std::string> unmatched_entries(bool user_files_only = false) const;

 private:
  std::vector<std::string> events_for(const MappingEntry& entry) const;

  std::vector<LoadedMapping> mappings_;
  PipelineConfig config_;
  std::vector<std::unique_ptr<Hook>> hooks_;
  std::set<std::string> seen_;  // file identities already resolved
  std::map<const LoadedMapping*, MappingUse> uses_;
  std::map<const MappingEntry*, std::vector<std::string>> near_misses_;  // entry -> near names
  std::set<const MappingEntry*> matched_;
};

}  // namespace bpfpads
