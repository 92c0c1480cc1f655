// Hook identity without attach cookies (kernels < 5.15): the BPF side names a uprobe
// hit by its virtual address, so userspace turns each hook's file offset into the
// address it has in a process, from that process's /proc/PID/maps.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "symbols/library_locator.h"

namespace bpfpads {

struct ProbedOffset {
  uint32_t hook_id = 0;
  uint64_t inode = 0;        // of the file the uprobe is in
  uint64_t file_offset = 0;  // where its breakpoint is
};

struct HookAddress {
  uint64_t vaddr = 0;
  uint32_t hook_id = 0;
  bool operator==(const HookAddress&) const = default;
};

// Every address at which a probed offset is mapped executable in `maps`.
std::vector<HookAddress> hook_addresses(std::span<const MapsEntry> maps, std::span<const ProbedOffset> probes);

}  // namespace bpfpads
