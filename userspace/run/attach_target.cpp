#include "run/attach_target.h"

#include <unistd.h>

#include "run/process_scan.h"

namespace bpfpads {
namespace {

constexpr unsigned long kPfKthread = 0x00200000;  // include/linux/sched.h

}  // namespace

Result<> check_attach_target(pid_t pid, bool force) {
  const std::string where = "--pid " + std::to_string(pid);
  if (force) return {};
  const char* hint = " (--force adopts it all the same)";
  if (pid == 1)
    return make_error(std::string("PID 1 is the system's init: every process on the machine would be one job") +
                          hint,
                      where);
  auto facts = task_stat_of(pid);
  if (!facts) return {};  // gone or unreadable: attach says so with its own words
  if (facts->flags.value_or(0) & kPfKthread)
    return make_error(std::string("this is a kernel thread: it runs no user code to track") + hint, where);
  for (pid_t p = getpid(); p > 0;) {
    if (p == pid)
      return make_error(std::string(p == getpid() ? "this is bpfpads itself" : "this is an ancestor of bpfpads") +
                            ": the run would only end when bpfpads does" + hint,
                        where);
    auto up = task_stat_of(p);
    if (!up || up->ppid == p) break;
    p = up->ppid;
  }
  return {};
}

}  // namespace bpfpads
