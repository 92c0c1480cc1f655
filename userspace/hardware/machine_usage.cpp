#include "hardware/machine_usage.h"

#include <cmath>
#include <sstream>

#include "common/text.h"
#include "setup/setup_parse.h"

namespace bpfpads {
namespace {

double round1(double v) { return std::round(v * 10.0) / 10.0; }

}  // namespace

std::optional<CpuTimes> parse_proc_stat(const std::string& text) {
  std::istringstream in(text);
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal (guest times are inside user)
  uint64_t v[8] = {};
  for (auto& x : v)
    if (!(in >> x)) return std::nullopt;
  CpuTimes t;
  uint64_t idle = v[3] + v[4];
  for (int i = 0; i < 8; ++i) t.total += v[i];
  t.busy = t.total - idle;
  return t;
}

std::vector<Metric> MachineUsage::sample(int64_t wall_ms, int64_t step) {
  std::vector<Metric> out;
  auto stat = read_text_file(proc_ / "stat");
  if (auto cpu = stat ? parse_proc_stat(*stat) : std::nullopt) {
    if (last_cpu_ && cpu->total > last_cpu_->total) {
      double busy = static_cast<double>(cpu->busy - last_cpu_->busy);
      double total = static_cast<double>(cpu->total - last_cpu_->total);
      out.push_back({"system/cpu_utilization_percentage", round1(busy / total * 100), wall_ms, step});
    }
    last_cpu_ = cpu;
  }
  auto meminfo = read_text_file(proc_ / "meminfo");
  MemInfo mem = meminfo ? parse_meminfo(*meminfo) : MemInfo{};
  if (mem.mem_total_bytes && mem.mem_available_bytes && *mem.mem_total_bytes > 0) {
    double total = static_cast<double>(*mem.mem_total_bytes);
    double used = total - static_cast<double>(*mem.mem_available_bytes);
    out.push_back({"system/system_memory_usage_megabytes", round1(used / 1e6), wall_ms, step});
    out.push_back({"system/system_memory_usage_percentage",
                   round1(used / total * 100), wall_ms, step});
  }
  return out;
}

}  // namespace bpfpads
