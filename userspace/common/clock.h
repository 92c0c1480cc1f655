// CLOCK_MONOTONIC in nanoseconds: the clock of the kernel's records
// (bpf_ktime_get_ns), so that userspace times compare with theirs.
#pragma once

#include <cstdint>

namespace bpfpads {

uint64_t monotonic_ns();
// The calling thread's CPU time (user + system) in nanoseconds.
uint64_t thread_cpu_ns();

}  // namespace bpfpads
