#include "kernel/proctree_probe.h"

#include <bpf/bpf.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "bpfpads_bpf.skel.h"
#include "kernel/map_keys.h"
#include "common/clock.h"
#include "common/log.h"

namespace bpfpads {

const char* drop_reason_name(int reason) {
  switch (reason) {
    case BP_DROP_RINGBUF_FULL: return "ring_buffer_full";
    case BP_DROP_TRACKED_FULL: return "process_table_full";
    case BP_DROP_OUTPUT_CUT: return "output_bytes_cut";
    case BP_DROP_READ_FAILED: return "memory_read_failed";
    case BP_DROP_PATH_CUT: return "exec_path_cut";
    case BP_DROP_CAPTURE_CUT: return "capture_cut";
    case BP_DROP_CAPTURE_UNREADABLE: return "capture_unreadable";
    case BP_DROP_CALL_DEPTH: return "call_depth_exceeded";
    case BP_DROP_UNPAIRED_RETURN: return "unpaired_return";
    case BP_DROP_UNPAIRED_ENTRY: return "unpaired_entry";
    default: return "unknown";
  }
}

Result<std::unique_ptr<ProcTreeProbe>> ProcTreeProbe::attach(BpfPrograms& programs,
                                                             EventHandler on_event) {
  std::unique_ptr<ProcTreeProbe> self(new ProcTreeProbe());
  self->programs_ = &programs;
  self->on_event_ = std::move(on_event);
  ::bpfpads_bpf* skel = programs.skel();

  struct Attach {
    bpf_program* prog;
    const char* what;
  };
  std::vector<Attach> wanted = {{skel->progs.on_fork, "sched_process_fork"},
                                {skel->progs.on_exec, "sched_process_exec"},
                                {skel->progs.on_exit, "sched_process_exit"}};
  if (programs.options().capture_output) wanted.push_back({skel->progs.on_write, "syscalls/sys_enter_write"});
  for (const Attach& a : wanted) {
    BpfLinkPtr link(bpf_program__attach(a.prog));
    if (!link) return make_errno_error("cannot attach", errno, a.what);
    self->links_.push_back(std::move(link));
  }

  self->iter_link_.reset(bpf_program__attach_iter(skel->progs.sample_tasks, nullptr));
  if (!self->iter_link_) return make_errno_error("cannot attach the task iterator", errno, "iter/task");

  self->ring_buffer_.reset(ring_buffer__new(bpf_map__fd(skel->maps.events), &ProcTreeProbe::on_record,
                                            self.get(), nullptr));
  if (!self->ring_buffer_) return make_errno_error("cannot map the ring buffer", errno, "events");
  return self;
}

ProcTreeProbe::~ProcTreeProbe() = default;

void ProcTreeProbe::release_links(std::vector<BpfLinkPtr>& out) {
  for (auto& l : links_) out.push_back(std::move(l));
  links_.clear();
}

int ProcTreeProbe::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<ProcTreeProbe*>(ctx);
  auto event = decode_record(data, size);
  if (!event) {
    ++self->undecodable_;
    log::debug(event.error().describe());
    return 0;
  }
  if (self->on_event_) self->on_event_(*event);
  return 0;
}

Result<> ProcTreeProbe::track(pid_t tgid, pid_t parent_tgid, uint32_t generation) {
  uint32_t key = static_cast<uint32_t>(tgid);
  bp_tracked value{};
  value.parent_tgid = static_cast<uint32_t>(parent_tgid);
  value.generation = generation;
  value.since_ns = monotonic_ns();
  if (bpf_map_update_elem(bpf_map__fd(programs_->skel()->maps.tracked), &key, &value, BPF_ANY) != 0)
    return make_errno_error("cannot add process to the tracked set", errno,
                            "pid " + std::to_string(tgid));
  return {};
}

size_t ProcTreeProbe::tracked_count() const {
  return u32_map_keys(bpf_map__fd(programs_->skel()->maps.tracked)).size();
}

std::vector<pid_t> ProcTreeProbe::tracked_pids() const {
  std::vector<pid_t> out;
  for (uint32_t tgid : u32_map_keys(bpf_map__fd(programs_->skel()->maps.tracked)))
    out.push_back(static_cast<pid_t>(tgid));
  return out;
}

void ProcTreeProbe::continue_all() const {
  for (pid_t pid : tracked_pids()) kill(pid, SIGCONT);
}

Result<std::vector<bp_task_sample>> ProcTreeProbe::sample_tasks() const {
  Fd iter(bpf_iter_create(bpf_link__fd(iter_link_.get())));
  if (!iter.valid()) return make_errno_error("cannot start the task iterator", errno, "iter/task");
  std::vector<bp_task_sample> samples;
  bp_task_sample buf[64];
  for (;;) {
    ssize_t n = ::read(iter.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN can happen when the task list changes under the iterator: keep what we have.
      if (errno == EAGAIN) break;
      return make_errno_error("cannot read the task iterator", errno, "iter/task");
    }
    if (n == 0) break;
    size_t count = static_cast<size_t>(n) / sizeof(bp_task_sample);
    samples.insert(samples.end(), buf, buf + count);
  }
  return samples;
}

Result<bp_task_counters> ProcTreeProbe::exited_totals() const {
  uint32_t zero = 0;
  bp_task_counters totals{};
  if (bpf_map_lookup_elem(bpf_map__fd(programs_->skel()->maps.exited), &zero, &totals) != 0)
    return make_errno_error("cannot read exited-thread counters", errno, "exited");
  return totals;
}

DropCounts ProcTreeProbe::drops() const {
  DropCounts out{};
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
  for (uint32_t reason = 0; reason < BP_DROP__COUNT; ++reason) {
    if (bpf_map_lookup_elem(bpf_map__fd(programs_->skel()->maps.drops), &reason, per_cpu.data()) != 0)
      continue;
    for (uint64_t v : per_cpu) out[reason] += v;
  }
  return out;
}

int ProcTreeProbe::event_fd() const { return ring_buffer__epoll_fd(ring_buffer_.get()); }

Result<int> ProcTreeProbe::consume() {
  uint64_t cpu_before = thread_cpu_ns();
  int n = ring_buffer__consume(ring_buffer_.get());
  record_cpu_ns_ += thread_cpu_ns() - cpu_before;
  if (n < 0) return make_errno_error("cannot read the ring buffer", n, "events");
  records_read_ += static_cast<uint64_t>(n);
  return n;
}

}  // namespace bpfpads
