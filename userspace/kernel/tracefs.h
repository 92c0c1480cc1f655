#pragma once
#include "common/error.h"
namespace bpfpads {
// Classic tracepoints need tracefs; mounts it at /sys/kernel/tracing when it is
// missing (root only), as bpftrace and perf do.
Result<> ensure_tracefs();
}  // namespace bpfpads
