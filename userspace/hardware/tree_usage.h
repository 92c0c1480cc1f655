// Resource usage of the tracked process tree, from the kernel's own per-thread
// counters: live threads (task iterator) plus exited threads (exit accumulator).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpfpads_records.h"
#include "run/run_types.h"

namespace bpfpads {

struct TreeUsage {
  uint64_t cpu_ns = 0;
  uint64_t read_bytes = 0;   // from storage
  uint64_t write_bytes = 0;  // to storage (dirtied), as /proc/PID/io reports
  uint64_t rchar = 0;
  uint64_t wchar = 0;
  uint64_t page_faults = 0;  // minor + major
  uint64_t major_faults = 0;
  uint64_t context_switches = 0;  // voluntary + involuntary
  uint64_t rss_bytes = 0;          // now, summed over live processes
  uint64_t max_process_peak_bytes = 0;  // largest per-process high-water mark seen
  uint32_t processes = 0;
  uint32_t threads = 0;
};

TreeUsage sum_usage(std::span<const bp_task_sample> live, const bp_task_counters& exited,
                    uint64_t page_size);

// Turns successive snapshots into MLflow metric points: `system/…` histories at
// each tick, and `bpfpads/…` totals at the end. In attach mode the first snapshot
// is the baseline, so totals count from the moment of attaching.
class UsageTracker {
 public:
  explicit UsageTracker(bool subtract_baseline) : subtract_baseline_(subtract_baseline) {}

  // `elapsed_ns` is monotonic time since the run started.
  std::vector<Metric> on_snapshot(const TreeUsage& usage, uint64_t elapsed_ns, int64_t wall_ms);
  // A process's peak RSS reported by its exit (signal->maxrss).
  void on_process_peak(uint64_t peak_bytes);
  std::vector<Metric> totals(uint64_t elapsed_ns, int64_t wall_ms) const;

  uint64_t peak_memory_bytes() const;
  const TreeUsage& latest() const { return latest_; }

 private:
  TreeUsage relative(const TreeUsage& u) const;

  bool subtract_baseline_;
  bool have_baseline_ = false;
  TreeUsage baseline_{};
  TreeUsage latest_{};
  uint64_t last_elapsed_ns_ = 0;
  uint64_t last_cpu_ns_ = 0;
  uint64_t last_ctx_ = 0;
  uint64_t last_faults_ = 0;
  uint64_t peak_tree_rss_ = 0;
  uint64_t peak_process_ = 0;
  int64_t step_ = 0;
};

}  // namespace bpfpads
