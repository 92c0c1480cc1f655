// Attaches the hook programs of the BPF object to the places mapping files select:
// uprobe (+ uretprobe for paired hooks) at a file offset, or a USDT probe, each
// carrying its hook id as the attach cookie. Links are kept per hook so that a hook
// can be detached alone (the hot-hook guard).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

class BpfPrograms;

struct UprobeTarget {
  std::filesystem::path binary;
  uint64_t file_offset = 0;  // where the breakpoint goes (after endbr64, see symbols/)
  std::string symbol;        // for messages
};

struct UsdtTarget {
  std::filesystem::path binary;
  std::string provider;
  std::string name;
};

class HookAttacher {
 public:
  explicit HookAttacher(BpfPrograms& programs) : programs_(programs) {}

  // What the kernel side captures for this hook id.
  Result<> set_spec(uint32_t hook_id, const bp_hook_spec& spec);

  // Inode-wide: the breakpoint is also installed in processes that map the file
  // later (dlopen), before any of its code runs. Only tracked processes record.
  Result<> attach_uprobe(uint32_t hook_id, const UprobeTarget& target, bool paired);
  Result<> attach_usdt(uint32_t hook_id, const UsdtTarget& target);
  // Without attach cookies: the uprobe at `vaddr` (in some tracked process) is this hook.
  Result<> set_address(uint64_t vaddr, uint32_t hook_id);

  // A uprobe on the dynamic loader's _dl_debug_state(), which it calls after mapping
  // objects and before running any of their code.
  Result<> watch_library_loads(const std::filesystem::path& dynamic_loader);

  // The hot-hook guard: removes every probe of a hook.
  void detach(uint32_t hook_id);
  bool attached(uint32_t hook_id) const { return links_.count(hook_id) != 0; }
  size_t link_count() const;

  // Hits per hook id (summed over CPUs), for ids [0, count).
  std::vector<uint64_t> hits(uint32_t count) const;

 private:
  BpfPrograms& programs_;
  std::unordered_map<uint32_t, std::vector<BpfLinkPtr>> links_;
  std::vector<BpfLinkPtr> loader_links_;
};

}  // namespace bpfpads
