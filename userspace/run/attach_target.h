// Which processes `attach` refuses without --force: PID 1 (the whole machine would be
// one "job"), kernel threads (no user code to track), and bpfpads itself or one of
// its ancestors (the run could never end).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/error.h"

namespace bpfpads {

struct StatFacts {
  pid_t ppid = 0;
  unsigned long flags = 0;  // the kernel's task flags (PF_KTHREAD)
};
// ppid and flags from /proc/PID/stat text.
std::optional<StatFacts> parse_stat_facts(const std::string& stat_text);

// An error naming the reason and --force, or nothing when `pid` may be adopted.
Result<> check_attach_target(pid_t pid, bool force);

}  // namespace bpfpads
