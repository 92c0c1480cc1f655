// Machine-wide CPU and memory, under MLflow's own system-metric names, so the
// system-metrics tab shows what users of mlflow's monitor expect next to the
// tree's own numbers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "run/run_types.h"

namespace bpfpads {

struct CpuTimes {
  uint64_t busy = 0;
  uint64_t total = 0;
};

// The aggregate "cpu" line of /proc/stat.
std::optional<CpuTimes> parse_proc_stat(const std::string& text);


class MachineUsage {
 public:
  explicit MachineUsage(std::filesystem::path proc_root = "/proc") : proc_(std::move(proc_root)) {}
  // Metrics for this tick; CPU needs two readings, so the first tick has none.
  std::vector<Metric> sample(int64_t wall_ms, int64_t step);

 private:
  std::filesystem::path proc_;
  std::optional<CpuTimes> last_cpu_;
};

}  // namespace bpfpads
