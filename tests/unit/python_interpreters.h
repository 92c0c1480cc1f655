// The CPython interpreters on this machine that the Python reader's tests run against:
// pyenv's builds (shared libpython) and Debian's static /usr/bin/python3.11.
#pragma once

#include <string>
#include <vector>

namespace bpfpads::testing {

struct Interpreter {
  std::string executable;
  std::string prefix;  // where include/pythonX.Y lives; empty for Debian's
  std::string minor;   // "3.12"
};

std::vector<Interpreter> available_interpreters();

}  // namespace bpfpads::testing
