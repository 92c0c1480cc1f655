#include "kernel/privileges.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace bpfpads {
namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

uint64_t effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  return 0;
}

bool has(uint64_t caps, int cap) { return (caps >> cap) & 1u; }

}  // namespace

Result<> check_tracing_privileges() {
  uint64_t caps = effective_capabilities();
  if (has(caps, kCapSysAdmin)) return {};
  std::vector<std::string> missing;
  if (!has(caps, kCapBpf)) missing.push_back("CAP_BPF");
  if (!has(caps, kCapPerfmon)) missing.push_back("CAP_PERFMON");
  if (missing.empty()) return {};
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  return make_error("missing capabilities " + list +
                    " (or CAP_SYS_ADMIN) to load BPF programs; run it as root, e.g. "
                    "'sudo bpfpads run -- CMD', or grant them with "
                    "'sudo setcap cap_bpf,cap_perfmon,cap_sys_ptrace+ep $(which bpfpads)'");
}

Result<> check_kernel_btf() {
  if (::access("/sys/kernel/btf/vmlinux", R_OK) == 0) return {};
  return make_error("this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing); bpfpads "
                    "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, RHEL and "
                    "Amazon Linux kernels since 5.x have it)");
}

}  // namespace bpfpads
