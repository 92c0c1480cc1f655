#include "kernel/bpf_programs.h"

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
  FeatureResult probe = probe_uprobe_multi_link();
  if (probe.support == Support::Yes) return true;
  degradations.push_back("no uprobe_multi (" + probe.detail + "): one classic uprobe per hooked function");
  return false;
}

}  // namespace

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
    bool have = tracefs && (::access("/sys/kernel/tracing/events/syscalls/sys_enter_write", F_OK) == 0 ||
                            ::access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_write", F_OK) == 0);
    if (!have) {
      self->options_.capture_output = false;
      self->degradations_.push_back(
          "no output tail on failure: syscalls/sys_enter_write is not available" +
          (tracefs ? std::string() : " (" + tracefs.error().describe() + ")"));
    }
  }
  if (!self->options_.capture_output) {
    skel->rodata->capture_output = false;
    bpf_program__set_autoload(skel->progs.on_write, false);
  }
  if (options.load_hooks && options.allow_uprobe_multi) self->uprobe_multi_ = use_uprobe_multi(self->degradations_);
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
