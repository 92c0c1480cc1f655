#include "hooks/hook_addresses.h"

namespace bpfpads {

std::vector<HookAddress> hook_addresses(std::span<const MapsEntry> maps, std::span<const ProbedOffset> probes) {
  std::vector<HookAddress> out;
  for (const auto& m : maps) {
    // Only code can hit a breakpoint; one file may be mapped more than once (dlopen twice
    // through different paths still shares the inode, and each mapping gets the probe).
    if (m.inode == 0 || m.perms.find('x') == std::string::npos) continue;
    for (const auto& p : probes) {
      if (p.inode != m.inode || p.file_offset < m.offset || p.file_offset - m.offset >= m.end - m.start) continue;
      out.push_back({m.start + (p.file_offset - m.offset), p.hook_id});
    }
  }
  return out;
}

}  // namespace bpfpads
