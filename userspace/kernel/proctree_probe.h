// Loads bpf/proctree.bpf.c: the tracked process set, its fork/exec/exit events,
// per-thread resource counters and (optionally) the tail of its stdout/stderr.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_programs.h"
#include "kernel/records.h"

namespace bpfpads {

class BpfPrograms;

using DropCounts = std::array<uint64_t, BP_DROP__COUNT>;
const char* drop_reason_name(int reason);

class ProcTreeProbe {
 public:
  using EventHandler = std::function<void(const KernelEvent&)>;

  // Attaches the process-tree programs of a loaded object and maps its ring buffer.
  static Result<std::unique_ptr<ProcTreeProbe>> attach(BpfPrograms& programs,
                                                       EventHandler on_event);
  ~ProcTreeProbe();
  ProcTreeProbe(const ProcTreeProbe&) = delete;
  ProcTreeProbe& operator=(const ProcTreeProbe&) = delete;

  // Adds a process to the tracked set (the run's root, or one found by attach).
  Result<> track(pid_t tgid, pid_t parent_tgid, uint32_t generation);
  // How many processes the kernel side currently tracks.
  size_t tracked_count() const;
  // SIGCONT to every tracked process: none may stay held at a library load when we
  // stop (the loader watch stops a process until its new libraries are probed).
  void continue_all() const;
  // The tracked processes (tgids) now.
  std::vector<pid_t> tracked_pids() const;

  // One pass of the task iterator: a sample per live thread of the tracked set.
  Result<std::vector<bp_task_sample>> sample_tasks() const;
  // Counters of every tracked thread that has exited so far.
  Result<bp_task_counters> exited_totals() const;
  DropCounts drops() const;
  // Records that could not be decoded (layout mismatch): counted, shown in the run.
  uint64_t undecodable_records() const { return undecodable_; }

  // For epoll: readable when the ring buffer has records.
  int event_fd() const;
  // Hands every pending record to the handler; returns how many.
  Result<int> consume();
  // Records handed over so far, and the CPU time consume() took for them, handlers
  // included: the collector's cost per record, measured where it is spent.
  uint64_t records_read() const { return records_read_; }
  uint64_t record_cpu_ns() const { return record_cpu_ns_; }
  // The job is done: its fork/exec/exit/output probes go to `out`, to be dropped
  // together (kernel/link_dropper.h). The task iterator stays for the last sample.
  void release_links(std::vector<BpfLinkPtr>& out);

 private:
  ProcTreeProbe() = default;
  static int on_record(void* ctx, void* data, size_t size);

  BpfPrograms* programs_ = nullptr;
  std::vector<BpfLinkPtr> links_;
  BpfLinkPtr iter_link_;
  RingBufferPtr ring_buffer_;
  EventHandler on_event_;
  uint64_t undecodable_ = 0;
  uint64_t records_read_ = 0;
  uint64_t record_cpu_ns_ = 0;
};

}  // namespace bpfpads
