#include "kernel/bpf_programs.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "bpfpads_bpf.skel.h"
#include "bpfpads_records.h"
#include "kernel/forced_fallbacks.h"
#include "kernel/libbpf_logging.h"
#include "kernel/shared_maps.h"
#include "kernel/tracefs.h"

namespace bpfpads {

void BpfPrograms::SkeletonDeleter::operator()(::bpfpads_bpf* skel) const { bpfpads_bpf__destroy(skel); }

BpfPrograms::~BpfPrograms() = default;

Result<std::unique_ptr<BpfPrograms>> BpfPrograms::open_and_load(const BpfOptions& options, const SharedMaps& maps) {
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

  if (auto r = maps.reuse_in(skel->obj); !r) return std::unexpected(r.error().with_context("bpfpads.bpf.o"));

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
  // The library-load watch serves the hooks alone.
  if (!options.stop_on_library_load) bpf_program__set_autoload(skel->progs.library_loaded, false);

  int err = bpfpads_bpf__load(skel);
  if (err)
    return make_errno_error("cannot load the BPF programs (libbpf printed the verifier log above)",
                            err, "bpfpads.bpf.o");
  return self;
}

}  // namespace bpfpads
