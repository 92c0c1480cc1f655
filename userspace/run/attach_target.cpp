#include "run/attach_target.h"

#include <unistd.h>

#include <sstream>

#include "common/text.h"

namespace bpfpads {
namespace {

constexpr unsigned long kPfKthread = 0x00200000;  // include/linux/sched.h

std::optional<StatFacts> stat_of(pid_t pid) {
  auto text = read_text_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return parse_stat_facts(*text);
}

}  // namespace

std::optional<StatFacts> parse_stat_facts(const std::string& stat_text) {
  auto close_paren = stat_text.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  // After "pid (comm)": state ppid pgrp session tty_nr tpgid flags ...
  std::istringstream rest(stat_text.substr(close_paren + 1));
  std::string state;
  long ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
  unsigned long flags = 0;
  if (!(rest >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags)) return std::nullopt;
  return StatFacts{static_cast<pid_t>(ppid), flags};
}

Result<> check_attach_target(pid_t pid, bool force) {
  const std::string where = "--pid " + std::to_string(pid);
  if (force) return {};
  const char* hint = " (--force adopts it all the same)";
  if (pid == 1)
    return make_error(std::string("PID 1 is the system's init: every process on the machine would be one job") +
                          hint,
                      where);
  auto facts = stat_of(pid);
  if (!facts) return {};  // gone or unreadable: attach says so with its own words
  if (facts->flags & kPfKthread)
    return make_error(std::string("this is a kernel thread: it runs no user code to track") + hint, where);
  for (pid_t p = getpid(); p > 0;) {
    if (p == pid)
      return make_error(std::string(p == getpid() ? "this is bpfpads itself" : "this is an ancestor of bpfpads") +
                            ": the run would only end when bpfpads does" + hint,
                        where);
    auto up = stat_of(p);
    if (!up || up->ppid == p) break;
    p = up->ppid;
  }
  return {};
}

}  // namespace bpfpads
