#include "kernel/python_programs.h"

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "bpfpads_python_bpf.skel.h"
#include "kernel/shared_maps.h"

namespace bpfpads {
namespace {

struct CodeKey {  // python_units' key in bpf/python.bpf.c
  uint32_t tgid;
  uint32_t pad;
  uint64_t code;
};

}  // namespace

void PythonPrograms::SkeletonDeleter::operator()(::bpfpads_python_bpf* skel) const { bpfpads_python_bpf__destroy(skel); }

PythonPrograms::~PythonPrograms() = default;

Result<std::unique_ptr<PythonPrograms>> PythonPrograms::load(const SharedMaps& maps) {
  std::unique_ptr<PythonPrograms> self(new PythonPrograms());
  self->skel_.reset(bpfpads_python_bpf__open());
  if (!self->skel_) return make_errno_error("cannot open the BPF object", errno, "bpfpads_python.bpf.o");
  if (auto r = maps.reuse_in(self->skel_->obj); !r)
    return std::unexpected(r.error().with_context("bpfpads_python.bpf.o"));
  if (int err = bpfpads_python_bpf__load(self->skel_.get()); err)
    return make_errno_error("cannot load the Python watchpoint program (libbpf printed the verifier log above)", err,
                            "bpfpads_python.bpf.o");
  return self;
}

Result<> PythonPrograms::set_process(uint32_t tgid, const bp_python_proc& layout) {
  if (bpf_map__update_elem(skel_->maps.python_procs, &tgid, sizeof(tgid), &layout, sizeof(layout), BPF_ANY) != 0)
    return make_errno_error("cannot describe the Python process to BPF", errno, "python_procs");
  return {};
}

Result<> PythonPrograms::watch_unit(uint32_t tgid, uint64_t address, const bp_python_unit& unit) {
  CodeKey key{tgid, 0, address};
  if (bpf_map__update_elem(skel_->maps.python_units, &key, sizeof(key), &unit, sizeof(unit), BPF_ANY) != 0)
    return make_errno_error("cannot watch a bytecode unit", errno, "python_units");
  return {};
}

void PythonPrograms::unwatch_unit(uint32_t tgid, uint64_t address) {
  CodeKey key{tgid, 0, address};
  bpf_map__delete_elem(skel_->maps.python_units, &key, sizeof(key), 0);
}

void PythonPrograms::forget_process(uint32_t tgid) {
  bpf_map__delete_elem(skel_->maps.python_procs, &tgid, sizeof(tgid), 0);
}

Result<PythonPrograms::Watchpoint> PythonPrograms::attach_watchpoint(pid_t tid, uint64_t address) {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_BREAKPOINT;
  attr.bp_type = HW_BREAKPOINT_RW;  // x86 has no read-only watchpoint
  attr.bp_addr = address;
  attr.bp_len = HW_BREAKPOINT_LEN_1;  // one byte: 3.12 reads opcode and oparg apart
  attr.sample_period = 1;
  attr.inherit = 1;  // threads the watched thread starts get it too
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  // Gone at an exec (5.13+): the new program's memory is another, and an inherited
  // watchpoint would hold one of its 4 debug registers for nothing.
  attr.remove_on_exec = 1;
  int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd < 0 && errno == EINVAL) {
    attr.remove_on_exec = 0;
    fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
  }
  if (fd < 0)
    return make_errno_error(errno == ENOSPC ? "no debug register left in this thread (4 per thread)"
                                            : "cannot place a watchpoint",
                            errno, "thread " + std::to_string(tid));
  Fd duplicate(fcntl(fd, F_DUPFD_CLOEXEC, 3));
  bpf_link* link = bpf_program__attach_perf_event(skel_->progs.python_entry, fd);
  if (!link) {
    int e = errno;
    close(fd);
    return make_errno_error("cannot attach the watchpoint program", e, "thread " + std::to_string(tid));
  }
  return Watchpoint{BpfLinkPtr(link), std::move(duplicate)};
}

}  // namespace bpfpads
