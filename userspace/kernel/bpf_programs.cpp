#include "kernel/bpf_programs.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "bpfpads_bpf.skel.h"
#include "bpfpads_records.h"
#include "kernel/feature_probe.h"
#include "kernel/forced_fallbacks.h"
#include "kernel/libbpf_logging.h"
#include "kernel/tracefs.h"

namespace bpfpads {

void BpfPrograms::SkeletonDeleter::operator()(::bpfpads_bpf* skel) const { bpfpads_bpf__destroy(skel); }

BpfPrograms::~BpfPrograms() = default;

namespace {

// Decided by trying the link on this kernel, never by its version.
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

constexpr uint32_t kHookAddressSlots = 65536;  // probed addresses over all tracked processes

}  // namespace

// Hook identity: the attach cookie (5.15+), else the probed address, looked up in a
// map that the hook engine fills from /proc/PID/maps. Chosen by probing the helper.
void BpfPrograms::choose_hook_identity(BpfPrograms& self) {
  bool forced = fallback_forced("attach_cookie");
  self.attach_cookie_ =
      !forced && libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, nullptr) == 1;
  if (self.attach_cookie_) return;
  self.skel_->rodata->use_attach_cookie = false;
  bpf_map__set_max_entries(self.skel_->maps.hook_addrs, kHookAddressSlots);
  self.degradations_.push_back(
      std::string("no bpf_get_attach_cookie") + (forced ? " (forced by BPFPADS_FORCE_FALLBACK)" : "") +
      ": uprobe hooks are named by their address in each process (/proc/PID/maps), a return by the "
      "thread's innermost open call; USDT uses libbpf's own fallback");
}

Result<std::unique_ptr<BpfPrograms>> BpfPrograms::open_and_load(const BpfOptions& options) {
  install_libbpf_logging();
  std::unique_ptr<BpfPrograms> self(new BpfPrograms());
  self->options_ = options;
  self->skel_.reset(bpfpads_bpf__open());
  if (!self->skel_) return make_errno_error("cannot open the BPF object", errno, "bpfpads.bpf.o");
  ::bpfpads_bpf* skel = self->skel_.get();

  if (skel->rodata->abi_version != BPFPADS_ABI_VERSION)
    return make_error("BPF object ABI " + std::to_string(skel->rodata->abi_version) +
                          " does not match the collector's " + std::to_string(BPFPADS_ABI_VERSION),
                      "bpfpads.bpf.o");
  skel->rodata->follow_children = options.follow_children;
  skel->rodata->capture_output = options.capture_output;
  skel->rodata->stop_on_library_load = options.stop_on_library_load;

  int err = bpf_map__set_max_entries(skel->maps.tracked, options.max_processes);
  if (!err) err = bpf_map__set_max_entries(skel->maps.events, options.ring_buffer_bytes);
  if (err) return make_errno_error("cannot size BPF maps", err, "bpfpads.bpf.o");

  if (options.capture_output) {
    // The syscall tracepoint is a classic tracepoint: it needs tracefs, and a kernel
    // built with CONFIG_FTRACE_SYSCALLS. Without them the run goes on without the
    // output tail and says so.
    auto tracefs = ensure_tracefs();
    bool forced = fallback_forced("tp_sys_enter_write");
    bool have = !forced && tracefs && (::access("/sys/kernel/tracing/events/syscalls/sys_enter_write", F_OK) == 0 ||
                            ::access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_write", F_OK) == 0);
    if (!have) {
      self->options_.capture_output = false;
      self->degradations_.push_back(
          "no output tail on failure: syscalls/sys_enter_write is not available" +
          (forced    ? std::string(" (forced by BPFPADS_FORCE_FALLBACK)")
           : tracefs ? std::string()
                     : " (" + tracefs.error().describe() + ")"));
    }
  }
  if (!self->options_.capture_output) {
    skel->rodata->capture_output = false;
    bpf_program__set_autoload(skel->progs.on_write, false);
  }
  if (options.load_hooks) {
    // Per-thread call stacks live in task storage (5.11+): without it the caller
    // turns hooks off and says why, rather than fail on a map it cannot create.
    bool forced = fallback_forced("task_storage");
    if (forced || libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr) != 1)
      return make_error(std::string("BPF task storage (5.11+) is not available") +
                            (forced ? " (forced by BPFPADS_FORCE_FALLBACK)" : ""),
                        "bpfpads.bpf.o");
    choose_hook_identity(*self);
  }
  // uprobe_multi links carry cookies: without them every hook is a classic uprobe.
  if (options.load_hooks && options.allow_uprobe_multi && self->attach_cookie_)
    self->uprobe_multi_ = use_uprobe_multi(self->degradations_);
  if (!self->uprobe_multi_) {
    // SEC("uprobe.multi") programs do not load where the kernel lacks the link type.
    bpf_program__set_autoload(skel->progs.hook_entry_multi, false);
    bpf_program__set_autoload(skel->progs.hook_return_multi, false);
  }
  if (!options.load_hooks) {
    // Hooks need task storage (5.11+) and usdt.bpf.h's maps: load them only when used.
    for (bpf_program* p : {skel->progs.hook_entry, skel->progs.hook_return, skel->progs.hook_usdt,
                           skel->progs.library_loaded, skel->progs.hooks_on_exec})
      bpf_program__set_autoload(p, false);
    // Task storage appeared in 5.11: without hooks the map is not even created.
    bpf_map__set_autocreate(skel->maps.call_stacks, false);
  }

  err = bpfpads_bpf__load(skel);
  if (err)
    return make_errno_error("cannot load the BPF programs (libbpf printed the verifier log above)",
                            err, "bpfpads.bpf.o");
  return self;
}

}  // namespace bpfpads
