#pragma once
#include "common/error.h"
namespace bpfpads {
// Fails, naming the missing capabilities and the fix, when this process cannot
// load and attach BPF programs.
Result<> check_tracing_privileges();
// Fails when the kernel has no BTF (CO-RE needs /sys/kernel/btf/vmlinux).
Result<> check_kernel_btf();
}  // namespace bpfpads
