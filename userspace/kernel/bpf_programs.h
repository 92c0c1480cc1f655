// Owns bpfpads' one BPF object (bpf/*.bpf.c linked together): opens it, sets its
// tunables and map sizes, loads it. The probes that use it (process tree, hooks)
// attach their programs through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

struct bpfpads_bpf;  // the bpftool skeleton

namespace bpfpads {

struct BpfOptions {
  bool follow_children = true;        // PyPads' track_sub_processes
  bool capture_output = false;        // copy the tail of writes to fd 1/2
  bool load_hooks = false;            // uprobes/USDT from mapping files
  bool stop_on_library_load = false;  // stop at _dl_debug_state until new objects are probed
  bool allow_uprobe_multi = true;     // false: classic uprobes even where the kernel has multi (bench)
  uint32_t max_processes = 16384;
  uint32_t ring_buffer_bytes = 4u << 20;
};

class BpfPrograms {
 public:
  static Result<std::unique_ptr<BpfPrograms>> open_and_load(const BpfOptions& options);
  ~BpfPrograms();
  BpfPrograms(const BpfPrograms&) = delete;
  BpfPrograms& operator=(const BpfPrograms&) = delete;

  ::bpfpads_bpf* skel() const { return skel_.get(); }
  const BpfOptions& options() const { return options_; }
  // Whether the uprobe_multi hook programs are loaded (probed at load, unless
  // BPFPADS_FORCE_FALLBACK=uprobe_multi); else hooks attach classic uprobes.
  bool uprobe_multi() const { return uprobe_multi_; }
  // Features this kernel lacks and what the run does without them.
  const std::vector<std::string>& degradations() const { return degradations_; }
  // False: hooks carry no cookie; their ids come from the hook_addrs map.
  bool uses_attach_cookie() const { return attach_cookie_; }

 private:
  BpfPrograms() = default;
  static void choose_hook_identity(BpfPrograms& self);
  struct SkeletonDeleter {
    void operator()(::bpfpads_bpf* skel) const;
  };
  std::unique_ptr<::bpfpads_bpf, SkeletonDeleter> skel_;
  BpfOptions options_;
  bool uprobe_multi_ = false;
  std::vector<std::string> degradations_;
  bool attach_cookie_ = true;
};

}  // namespace bpfpads
