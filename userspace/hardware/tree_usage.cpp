#include "hardware/tree_usage.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace bpfpads {
namespace {

constexpr double kMB = 1e6;  // MLflow's system metrics use 1 MB = 10^6 bytes

void add(TreeUsage& u, const bp_task_counters& c) {
  u.cpu_ns += c.cpu_ns;
  u.read_bytes += c.read_bytes;
  u.write_bytes += c.write_bytes;
  u.rchar += c.rchar;
  u.wchar += c.wchar;
  u.page_faults += c.min_flt + c.maj_flt;
  u.major_faults += c.maj_flt;
  u.context_switches += c.nvcsw + c.nivcsw;
}

uint64_t minus(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

double round1(double v) { return std::round(v * 10.0) / 10.0; }

}  // namespace

TreeUsage sum_usage(std::span<const bp_task_sample> live, const bp_task_counters& exited,
                    uint64_t page_size) {
  TreeUsage u;
  add(u, exited);
  std::unordered_set<uint32_t> processes;
  for (const auto& s : live) {
    add(u, s.counters);
    ++u.threads;
    processes.insert(s.tgid);
    u.rss_bytes += s.rss_pages * page_size;
    // The kernel updates hiwater_rss lazily; the current RSS may be higher.
    uint64_t peak = std::max(s.hiwater_rss_pages, s.rss_pages) * page_size;
    u.max_process_peak_bytes = std::max(u.max_process_peak_bytes, peak);
  }
  u.processes = static_cast<uint32_t>(processes.size());
  return u;
}

TreeUsage UsageTracker::relative(const TreeUsage& u) const {
  if (!subtract_baseline_ || !have_baseline_) return u;
  TreeUsage r = u;
  r.cpu_ns = minus(u.cpu_ns, baseline_.cpu_ns);
  r.read_bytes = minus(u.read_bytes, baseline_.read_bytes);
  r.write_bytes = minus(u.write_bytes, baseline_.write_bytes);
  r.rchar = minus(u.rchar, baseline_.rchar);
  r.wchar = minus(u.wchar, baseline_.wchar);
  r.page_faults = minus(u.page_faults, baseline_.page_faults);
  r.major_faults = minus(u.major_faults, baseline_.major_faults);
  r.context_switches = minus(u.context_switches, baseline_.context_switches);
  return r;
}

std::vector<Metric> UsageTracker::on_snapshot(const TreeUsage& raw, uint64_t elapsed_ns,
                                              int64_t wall_ms) {
  if (subtract_baseline_ && !have_baseline_) {
    baseline_ = raw;
    have_baseline_ = true;
  }
  TreeUsage u = relative(raw);
  // Counters only grow; a thread caught between the iterator and the exit
  // accumulator must not make a history go backwards.
  u.cpu_ns = std::max(u.cpu_ns, latest_.cpu_ns);
  u.read_bytes = std::max(u.read_bytes, latest_.read_bytes);
  u.write_bytes = std::max(u.write_bytes, latest_.write_bytes);
  u.context_switches = std::max(u.context_switches, latest_.context_switches);
  u.page_faults = std::max(u.page_faults, latest_.page_faults);

  double dt = static_cast<double>(elapsed_ns - std::min(elapsed_ns, last_elapsed_ns_)) / 1e9;
  double cpu_percent = dt > 0 ? static_cast<double>(u.cpu_ns - last_cpu_ns_) / 1e9 / dt * 100 : 0;
  double ctx_rate = dt > 0 ? static_cast<double>(u.context_switches - last_ctx_) / dt : 0;
  double fault_rate = dt > 0 ? static_cast<double>(u.page_faults - last_faults_) / dt : 0;

  peak_tree_rss_ = std::max(peak_tree_rss_, u.rss_bytes);
  peak_process_ = std::max(peak_process_, u.max_process_peak_bytes);
  latest_ = u;
  last_elapsed_ns_ = elapsed_ns;
  last_cpu_ns_ = u.cpu_ns;
  last_ctx_ = u.context_switches;
  last_faults_ = u.page_faults;

  int64_t step = step_++;
  auto m = [&](const char* key, double v) { return Metric{key, round1(v), wall_ms, step}; };
  return {
      m("system/process_cpu_percent", cpu_percent),
      m("system/process_memory_rss_megabytes", static_cast<double>(u.rss_bytes) / kMB),
      m("system/process_disk_read_megabytes", static_cast<double>(u.read_bytes) / kMB),
      m("system/process_disk_write_megabytes", static_cast<double>(u.write_bytes) / kMB),
      m("system/process_context_switches_per_second", ctx_rate),
      m("system/process_page_faults_per_second", fault_rate),
      m("system/process_count", u.processes),
      m("system/process_threads", u.threads),
  };
}

void UsageTracker::on_process_peak(uint64_t peak_bytes) {
  peak_process_ = std::max(peak_process_, peak_bytes);
}

uint64_t UsageTracker::peak_memory_bytes() const { return std::max(peak_tree_rss_, peak_process_); }

std::vector<Metric> UsageTracker::totals(uint64_t elapsed_ns, int64_t wall_ms) const {
  auto m = [&](const char* key, double v) { return Metric{key, v, wall_ms, 0}; };
  const TreeUsage& u = latest_;
  return {
      m("bpfpads/wall_seconds", static_cast<double>(elapsed_ns) / 1e9),
      m("bpfpads/cpu_seconds", static_cast<double>(u.cpu_ns) / 1e9),
      m("bpfpads/peak_memory_mb", static_cast<double>(peak_memory_bytes()) / kMB),
      m("bpfpads/disk_read_mb", static_cast<double>(u.read_bytes) / kMB),
      m("bpfpads/disk_write_mb", static_cast<double>(u.write_bytes) / kMB),
      m("bpfpads/io_read_chars_mb", static_cast<double>(u.rchar) / kMB),
      m("bpfpads/io_write_chars_mb", static_cast<double>(u.wchar) / kMB),
      m("bpfpads/context_switches", static_cast<double>(u.context_switches)),
      m("bpfpads/page_faults", static_cast<double>(u.page_faults)),
      m("bpfpads/major_page_faults", static_cast<double>(u.major_faults)),
  };
}

}  // namespace bpfpads
