// Owns the hook programs' BPF object (bpf/hooks.bpf.c): the uprobe, uretprobe and
// USDT programs that mapping files attach, their capture specs, hit counts and
// per-thread call stacks. It is loaded apart from the core object (BpfPrograms),
// sharing the core's tracked set, ring buffer and drop counters, so that a run can
// let its job start while these programs are verified (HookProgramsLoad).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

struct bpfpads_hooks_bpf;  // the bpftool skeleton

namespace bpfpads {

struct SharedMaps;

struct HookProgramOptions {
  bool allow_uprobe_multi = true;  // false: classic uprobes even where the kernel has multi (bench)
};

class HookPrograms {
 public:
  // What the hook programs cannot do without: task storage (5.11+). Cheap; checked
  // before the job starts, so that a run on an older kernel says at once that hooks
  // are off (and does not stop its job at library loads for nothing).
  static Result<> check_kernel();
  // Probes attach cookies and uprobe_multi, then loads, with `maps` as its tracked
  // set, ring buffer and drop counters. May run on a thread of its own, beside the
  // core object's load: it only reads `maps`.
  static Result<std::unique_ptr<HookPrograms>> load(const SharedMaps& maps, const HookProgramOptions& options);
  ~HookPrograms();
  HookPrograms(const HookPrograms&) = delete;
  HookPrograms& operator=(const HookPrograms&) = delete;

  ::bpfpads_hooks_bpf* skel() const { return skel_.get(); }
  // Whether the uprobe_multi programs are loaded; else hooks attach classic uprobes.
  bool uprobe_multi() const { return uprobe_multi_; }
  // False: hooks carry no cookie; their ids come from the hook_addrs map.
  bool uses_attach_cookie() const { return attach_cookie_; }
  // Features this kernel lacks and what the hooks do without them.
  const std::vector<std::string>& degradations() const { return degradations_; }

 private:
  HookPrograms() = default;
  void choose_hook_identity();
  struct SkeletonDeleter {
    void operator()(::bpfpads_hooks_bpf* skel) const;
  };
  std::unique_ptr<::bpfpads_hooks_bpf, SkeletonDeleter> skel_;
  bool uprobe_multi_ = false;
  bool attach_cookie_ = true;
  std::vector<std::string> degradations_;
};

// HookPrograms::load() on a thread of its own; wait() returns the result (the first
// hook to attach waits for it). The thread runs at the lowest priority, beside the
// job, until someone waits for it: a job held at a library load must not wait
// behind its own busy siblings.
class HookProgramsLoad {
 public:
  HookProgramsLoad(const SharedMaps& maps, HookProgramOptions options);
  ~HookProgramsLoad();  // waits for the thread
  HookProgramsLoad(const HookProgramsLoad&) = delete;
  HookProgramsLoad& operator=(const HookProgramsLoad&) = delete;

  Result<HookPrograms*> wait();

 private:
  void lower_priority();

  const pid_t creator_;                 // a deferred load runs on this thread: never lowered
  std::atomic<pid_t> loader_ = 0;       // the loading thread, once it runs
  std::atomic<bool> awaited_ = false;   // wait() was called: back to normal priority
  std::future<Result<std::unique_ptr<HookPrograms>>> pending_;
  std::unique_ptr<HookPrograms> loaded_;
  std::optional<Error> failed_;
};

}  // namespace bpfpads
