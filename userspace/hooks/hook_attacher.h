// Attaches the hook programs of the BPF object to the places mapping files select:
// uprobe (+ uretprobe for paired hooks) at a file offset, or a USDT probe, each
// carrying its hook id as the attach cookie.
//
// Two modes for uprobes, chosen when the hook programs were loaded (HookPrograms::
// uprobe_multi()): classic, one link per probe, kept per hook so that a hook can be
// detached alone; uprobe_multi, one link per binary and program (entry, return) for
// a whole batch, where the hot-hook guard disables the hook in the kernel instead.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

class HookPrograms;

struct UprobeTarget {
  std::filesystem::path binary;
  uint64_t file_offset = 0;  // where the breakpoint goes (after endbr64, see symbols/)
  std::string symbol;        // for messages
  // Its first instruction is single-stepped: attached as a classic uprobe even where
  // uprobe_multi is used, so that the hot-hook guard can take it out for real.
  bool single_stepped = false;
};

struct UprobeHook {
  uint32_t hook_id = 0;
  UprobeTarget target;
  bool paired = false;  // also a uretprobe
};

struct UprobeFailure {
  uint32_t hook_id = 0;
  Error error;
};

struct UsdtTarget {
  std::filesystem::path binary;
  std::string provider;
  std::string name;
};

class HookAttacher {
 public:
  explicit HookAttacher(HookPrograms& programs);

  // What the kernel side captures for this hook id.
  Result<> set_spec(uint32_t hook_id, const bp_hook_spec& spec);

  // Inode-wide: the breakpoint is also installed in processes that map the file
  // later (dlopen), before any of its code runs. Only tracked processes record.
  Result<> attach_uprobe(uint32_t hook_id, const UprobeTarget& target, bool paired);
  Result<> attach_usdt(uint32_t hook_id, const UsdtTarget& target);
  // A batch (one resolved file, usually): per binary one uprobe_multi link for the
  // entries and one for the returns where the kernel has it, else attach_uprobe()
  // per hook. A binary whose multi attach fails falls back to classic, noted.
  // Returns the hooks that could not be attached.
  std::vector<UprobeFailure> attach_uprobes(const std::vector<UprobeHook>& hooks);
  // Without attach cookies: the uprobe at `vaddr` (in some tracked process) is this hook.
  Result<> set_address(uint64_t vaddr, uint32_t hook_id);

  // exec replaces the program: its calls in flight never return and are dropped
  // (counted as unpaired entries) instead of pairing with the new program's returns.
  Result<> watch_execs();

  // The hot-hook guard: removes every probe of a hook (classic), or disables the
  // hook in the kernel (uprobe_multi: a link cannot lose one of its probes).
  void detach(uint32_t hook_id);
  bool attached(uint32_t hook_id) const { return links_.count(hook_id) != 0 || multi_hooks_.count(hook_id) != 0; }
  size_t link_count() const;
  bool uprobe_multi() const { return multi_; }
  // What the run records: the mode, with probes and links, and any multi fallbacks.
  std::string mode_summary() const;
  const std::vector<std::string>& notes() const { return notes_; }

  // The run is over: every probe goes to `out`, to be dropped together with the
  // run's other links; mode_summary() keeps describing what was attached.
  void release_links(std::vector<BpfLinkPtr>& out);

  // Hits per hook id (summed over CPUs), for ids [0, count).
  std::vector<uint64_t> hits(uint32_t count) const;

 private:
  Result<> attach_multi(const std::string& binary, const std::vector<const UprobeHook*>& hooks);

  HookPrograms& programs_;
  bool multi_ = false;
  std::unordered_map<uint32_t, std::vector<BpfLinkPtr>> links_;
  std::vector<BpfLinkPtr> multi_links_;
  std::unordered_set<uint32_t> multi_hooks_;  // attached through multi_links_, not disabled
  size_t multi_probes_ = 0;
  std::vector<std::string> notes_;
  std::vector<BpfLinkPtr> exec_links_;
  std::string summary_at_release_;  // set by release_links()
};

}  // namespace bpfpads
