// What a uprobe costs at a given first instruction. The kernel emulates a few
// instructions in the trap handler (push of a register, nop, relative jmp/call/jcc:
// arch/x86/kernel/uprobes.c) and single-steps every other one out of line, which
// costs a second debug exception: measured here ~0.45 us a hit emulated and 13-17 us
// single-stepped (shared/research/ebpf-lab.md, tests/testprogs/hot_loop.c's `lea`).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace bpfpads {

struct ProbeSite {
  bool emulated = false;
  double hit_cost_us = 15.0;  // the trap, what the guard charges per hit
};

inline constexpr double kEmulatedHitCostUs = 0.5;
inline constexpr double kSingleSteppedHitCostUs = 15.0;

// From the first bytes at the probe offset (x86-64).
ProbeSite classify_probe_site(std::span<const uint8_t> first_bytes);
// Reads them from `path` at `file_offset`; unknown (unreadable) counts as single-stepped.
ProbeSite probe_site_in_file(const std::string& path, uint64_t file_offset);

}  // namespace bpfpads
