// CLOCK_MONOTONIC in nanoseconds: the clock of the kernel's records
// (bpf_ktime_get_ns), so that userspace times compare with theirs.
#pragma once

#include <cstdint>

namespace bpfpads {

uint64_t monotonic_ns();

}  // namespace bpfpads
