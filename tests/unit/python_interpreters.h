// The CPython interpreters on this machine that the Python reader's tests run against:
// pyenv's builds (shared libpython) and Debian's static /usr/bin/python3.11.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bpfpads::testing {

struct Interpreter {
  std::string executable;
  std::string prefix;  // where include/pythonX.Y lives; empty for Debian's
  std::string minor;   // "3.12"
};

std::vector<Interpreter> available_interpreters();

// `exe -c script`, running: the first line it printed, and it waits (reading stdin)
// until this object goes, which closes its stdin and reaps it.
class RunningScript {
 public:
  RunningScript(const std::string& exe, const char* script);
  ~RunningScript();
  RunningScript(const RunningScript&) = delete;
  RunningScript& operator=(const RunningScript&) = delete;
  pid_t pid() const { return pid_; }
  const std::string& first_line() const { return line_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string line_;
};

}  // namespace bpfpads::testing
