#include "hardware/machine_usage.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace bpfpads {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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

std::optional<MemoryInfo> parse_meminfo(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  uint64_t value = 0;
  std::string unit;
  MemoryInfo m;
  bool total = false, available = false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    if (!(ls >> key >> value)) continue;
    if (key == "MemTotal:") m.total_bytes = value * 1024, total = true;
    if (key == "MemAvailable:") m.available_bytes = value * 1024, available = true;
  }
  if (!total || !available) return std::nullopt;
  return m;
}

std::vector<Metric> MachineUsage::sample(int64_t wall_ms, int64_t step) {
  std::vector<Metric> out;
  if (auto cpu = parse_proc_stat(read_file(proc_ / "stat"))) {
    if (last_cpu_ && cpu->total > last_cpu_->total) {
      double busy = static_cast<double>(cpu->busy - last_cpu_->busy);
      double total = static_cast<double>(cpu->total - last_cpu_->total);
      out.push_back({"system/cpu_utilization_percentage", round1(busy / total * 100), wall_ms, step});
    }
    last_cpu_ = cpu;
  }
  if (auto mem = parse_meminfo(read_file(proc_ / "meminfo"))) {
    double used = static_cast<double>(mem->total_bytes - mem->available_bytes);
    out.push_back({"system/system_memory_usage_megabytes", round1(used / 1e6), wall_ms, step});
    out.push_back({"system/system_memory_usage_percentage",
                   round1(used / static_cast<double>(mem->total_bytes) * 100), wall_ms, step});
  }
  return out;
}

}  // namespace bpfpads
