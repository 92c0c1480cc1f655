// cpu: model, core counts and clock range, like PyPads' Cpu setup function.
#include <set>
#include <system_error>

#include "setup/setup_function.h"
#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

bool is_cpu_dir_name(const std::string& name) {
  return name.size() > 3 && name.starts_with("cpu") &&
         name.find_first_not_of("0123456789", 3) == std::string::npos;
}

// Physical cores from sysfs, for cpuinfo without "physical id"/"core id" (ARM, VMs):
// every core lists its hardware threads, so the distinct lists are the cores.
int count_cores_from_topology(const std::filesystem::path& cpu_dir) {
  std::set<std::string> cores;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(cpu_dir, ec)) {
    if (!is_cpu_dir_name(entry.path().filename().string())) continue;
    // core_cpus_list since Linux 5.3, thread_siblings_list before.
    for (const char* file : {"topology/core_cpus_list", "topology/thread_siblings_list"}) {
      if (auto list = read_text_file(entry.path() / file)) {
        cores.emplace(trim(*list));
        break;
      }
    }
  }
  return static_cast<int>(cores.size());
}

int count_cpu_dirs(const std::filesystem::path& cpu_dir) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(cpu_dir, ec))
    if (is_cpu_dir_name(entry.path().filename().string())) ++count;
  return count;
}

// cpufreq values are in kHz.
std::optional<double> read_khz_as_mhz(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return std::nullopt;
  try {
    return std::stod(std::string(trim(*text))) / 1000.0;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

class CpuSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "cpu"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    auto text = read_text_file(ctx.proc_root / "cpuinfo");
    if (!text) return std::unexpected(text.error());
    CpuInfo info = parse_cpuinfo(*text);
    const auto cpu_dir = ctx.sys_root / "devices/system/cpu";

    int logical = info.logical_cores > 0 ? info.logical_cores : count_cpu_dirs(cpu_dir);
    int physical = info.physical_cores;
    if (physical == 0) physical = count_cores_from_topology(cpu_dir);
    if (physical == 0) physical = logical;

    if (!info.model.empty()) out.tags.push_back({"bpfpads.cpu.model", info.model});
    if (logical > 0) {
      out.tags.push_back({"bpfpads.cpu.logical_cores", std::to_string(logical)});
      out.tags.push_back({"bpfpads.cpu.physical_cores", std::to_string(physical)});
    }

    auto max_mhz = read_khz_as_mhz(cpu_dir / "cpu0/cpufreq/cpuinfo_max_freq");
    auto min_mhz = read_khz_as_mhz(cpu_dir / "cpu0/cpufreq/cpuinfo_min_freq");
    // The nominal maximum is stable; "cpu MHz" is a snapshot of a scaling clock.
    if (auto mhz = max_mhz ? max_mhz : info.mhz)
      out.tags.push_back({"bpfpads.cpu.frequency_mhz", format_decimal(*mhz)});
    if (max_mhz) out.tags.push_back({"bpfpads.cpu.frequency_max_mhz", format_decimal(*max_mhz)});
    if (min_mhz) out.tags.push_back({"bpfpads.cpu.frequency_min_mhz", format_decimal(*min_mhz)});
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(CpuSetup);

}  // namespace bpfpads
