// Which processes `attach` refuses without --force: PID 1 (the whole machine would be
// one "job"), kernel threads (no user code to track), and bpfpads itself or one of
// its ancestors (the run could never end).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/error.h"

namespace bpfpads {

// An error naming the reason and --force, or nothing when `pid` may be adopted.
Result<> check_attach_target(pid_t pid, bool force);

}  // namespace bpfpads
