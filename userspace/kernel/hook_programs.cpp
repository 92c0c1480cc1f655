#include "kernel/hook_programs.h"

#include <bpf/libbpf.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bpfpads_hooks_bpf.skel.h"
#include "kernel/feature_probe.h"
#include "kernel/forced_fallbacks.h"
#include "kernel/shared_maps.h"

namespace bpfpads {
namespace {

constexpr uint32_t kHookAddressSlots = 65536;  // probed addresses over all tracked processes

// Decided by asking the kernel for the link type, never by its version.
bool use_uprobe_multi(std::vector<std::string>& degradations) {
  if (fallback_forced("uprobe_multi")) {
    degradations.push_back("uprobe_multi forced off (" + std::string(kForceFallbackVariable) +
                           "): one classic uprobe per hooked function");
    return false;
  }
  FeatureResult probe = uprobe_multi_link_type();
  if (probe.support == Support::Yes) return true;
  degradations.push_back("no uprobe_multi (" + probe.detail + "): one classic uprobe per hooked function");
  return false;
}

}  // namespace

void HookPrograms::SkeletonDeleter::operator()(::bpfpads_hooks_bpf* skel) const { bpfpads_hooks_bpf__destroy(skel); }

HookPrograms::~HookPrograms() = default;

Result<> HookPrograms::check_kernel() {
  // Per-thread call stacks live in task storage (5.11+).
  bool forced = fallback_forced("task_storage");
  if (forced || libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr) != 1)
    return make_error(std::string("BPF task storage (5.11+) is not available") +
                          (forced ? " (forced by BPFPADS_FORCE_FALLBACK)" : ""),
                      "bpfpads_hooks.bpf.o");
  return {};
}

// Hook identity: the attach cookie (5.15+), else the probed address, looked up in a
// map that the hook engine fills from /proc/PID/maps. Chosen by probing the helper.
void HookPrograms::choose_hook_identity() {
  bool forced = fallback_forced("attach_cookie");
  attach_cookie_ =
      !forced && libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, nullptr) == 1;
  if (attach_cookie_) return;
  skel_->rodata->use_attach_cookie = false;
  bpf_map__set_max_entries(skel_->maps.hook_addrs, kHookAddressSlots);
  degradations_.push_back(
      std::string("no bpf_get_attach_cookie") + (forced ? " (forced by BPFPADS_FORCE_FALLBACK)" : "") +
      ": uprobe hooks are named by their address in each process (/proc/PID/maps), a return by the "
      "thread's innermost open call; USDT uses libbpf's own fallback");
}

Result<std::unique_ptr<HookPrograms>> HookPrograms::load(const SharedMaps& maps, const HookProgramOptions& options) {
  if (auto r = check_kernel(); !r) return std::unexpected(r.error());
  std::unique_ptr<HookPrograms> self(new HookPrograms());
  self->skel_.reset(bpfpads_hooks_bpf__open());
  if (!self->skel_) return make_errno_error("cannot open the BPF object", errno, "bpfpads_hooks.bpf.o");
  ::bpfpads_hooks_bpf* skel = self->skel_.get();
  if (auto r = maps.reuse_in(skel->obj); !r) return std::unexpected(r.error().with_context("bpfpads_hooks.bpf.o"));
  self->choose_hook_identity();
  // uprobe_multi links carry cookies: without them every hook is a classic uprobe.
  if (options.allow_uprobe_multi && self->attach_cookie_) self->uprobe_multi_ = use_uprobe_multi(self->degradations_);
  if (!self->uprobe_multi_) {
    // SEC("uprobe.multi") programs do not load where the kernel lacks the link type.
    bpf_program__set_autoload(skel->progs.hook_entry_multi, false);
    bpf_program__set_autoload(skel->progs.hook_return_multi, false);
  }
  if (int err = bpfpads_hooks_bpf__load(skel); err)
    return make_errno_error("cannot load the hook programs (libbpf printed the verifier log above)", err,
                            "bpfpads_hooks.bpf.o");
  return self;
}

// async | deferred: where no thread can be started, the load runs in wait(), on the
// caller's thread and at its priority.
HookProgramsLoad::HookProgramsLoad(const SharedMaps& maps, HookProgramOptions options) : creator_(gettid()) {
  pending_ = std::async(std::launch::async | std::launch::deferred, [this, &maps, options] {
    lower_priority();
    return HookPrograms::load(maps, options);
  });
}

// Beside the job and behind the collector's main thread, which continues jobs held at
// library loads; back to normal as soon as someone waits (see wait()).
void HookProgramsLoad::lower_priority() {
  pid_t self = gettid();
  if (self == creator_) return;
  loader_ = self;
  if (!awaited_) setpriority(PRIO_PROCESS, static_cast<id_t>(self), 19);
  if (awaited_) setpriority(PRIO_PROCESS, static_cast<id_t>(self), 0);  // wait() came in between
}

HookProgramsLoad::~HookProgramsLoad() {
  if (pending_.valid()) pending_.wait();
}

Result<HookPrograms*> HookProgramsLoad::wait() {
  if (pending_.valid()) {
    awaited_ = true;
    if (pid_t loader = loader_; loader != 0) setpriority(PRIO_PROCESS, static_cast<id_t>(loader), 0);
    auto r = pending_.get();
    if (r) loaded_ = std::move(*r);
    else failed_ = r.error();
  }
  if (failed_) return std::unexpected(*failed_);
  return loaded_.get();
}

}  // namespace bpfpads
