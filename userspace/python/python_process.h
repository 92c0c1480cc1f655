// Finds the CPython interpreter in a running process from outside: the ELF object that
// holds `_PyRuntime` (libpython3.X.so, or the executable of a static build), where it
// is loaded, and which version it is. Nothing in the process is changed or stopped.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "bpfpads_records.h"
#include "common/error.h"
#include "python/python_layout.h"

namespace bpfpads {

struct PythonProcess {
  pid_t pid = 0;
  std::string object_path;  // the file holding the runtime, as the process sees it
  uint64_t runtime_address = 0;  // &_PyRuntime in the process
  int major = 0, minor = 0, micro = 0;
  PythonLayout layout;
  // _PyEval_EvalFrameDefault, where bytecode is fetched: a watchpoint hit elsewhere is
  // the interpreter reading its code for another reason (3.11's quickening). Both 0
  // when the symbol has no size.
  uint64_t eval_loop_begin = 0, eval_loop_end = 0;

  std::string version() const;  // "3.12.1"
  // Whether a hit at `ip` is the eval loop running the unit (true when unknown).
  bool fetched_by_eval_loop(uint64_t ip) const {
    return eval_loop_end == 0 || (ip >= eval_loop_begin && ip < eval_loop_end);
  }
};

// Which process is a Python interpreter bpfpads can read, or why not: not Python, a
// version without a layout, a free-threaded build (its objects are laid out otherwise).
Result<PythonProcess> find_python(pid_t pid);

// What the watchpoint program needs to find a thread's running frame in this process.
bp_python_proc bpf_python_layout(const PythonProcess& py);

// "3.9.18" / "libpython3.10.so.1.0" / "python3.11" -> {3, 11}; {0, 0} when none.
std::pair<int, int> python_version_from_name(const std::string& file_name);

}  // namespace bpfpads
