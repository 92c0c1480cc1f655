// The watchpoints of one Python process: which code objects are watched under which
// hook id, and one watchpoint per code object in each of its threads (threads started
// later inherit them). x86 has 4 debug registers per thread, shared with debuggers: a
// process gets at most kMaxWatchedCode code objects; the rest are refused with a reason.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "kernel/python_programs.h"
#include "python/python_resolver.h"

namespace bpfpads {

inline constexpr size_t kMaxWatchedCode = 4;

struct WatchRequest {
  PythonFunction function;
  uint32_t hook_id = 0;
};

class PythonWatch {
 public:
  PythonWatch(PythonPrograms& programs, const PythonProcess& py);
  ~PythonWatch();  // removes the watchpoints inside a pause of the process
  PythonWatch(const PythonWatch&) = delete;
  PythonWatch& operator=(const PythonWatch&) = delete;

  // Watches these functions, inside one pause of the process (`already_stopped`: it is
  // held at a library-load stop). Per request: nothing, or why it is not watched.
  std::vector<std::string> add(const std::vector<WatchRequest>& requests, bool already_stopped = false);
  // The perf-event descriptors of every watchpoint (for the guard to hold: if bpfpads
  // dies, it removes them inside a pause instead of the kernel removing them under
  // running threads).
  std::vector<int> event_fds() const;
  size_t watched() const { return code_.size(); }
  const PythonProcess& process() const { return py_; }

  // Drops every watchpoint now (inside a pause); the destructor then has nothing to do.
  void remove_all();

 private:
  PythonPrograms& programs_;
  PythonProcess py_;
  std::vector<uint64_t> code_;      // watched code objects
  std::vector<uint64_t> addresses_;  // their first bytecode units
  std::vector<BpfLinkPtr> links_;
  std::vector<Fd> event_fds_;        // our duplicates of the links' perf events
};

}  // namespace bpfpads
