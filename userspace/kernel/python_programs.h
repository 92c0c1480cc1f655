// Owns the Python watchpoint program (bpf/python.bpf.c) and its maps: which processes
// are Python and how their interpreters are laid out (with the code objects watched
// there), which bytecode units are watched under which hook id. Loaded beside the core object, sharing its tracked set, ring
// buffer and drop counters. A watchpoint is a perf event of one thread; its link owns
// the event.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"

struct bpfpads_python_bpf;  // the bpftool skeleton

namespace bpfpads {

struct SharedMaps;

class PythonPrograms {
 public:
  static Result<std::unique_ptr<PythonPrograms>> load(const SharedMaps& maps);
  ~PythonPrograms();
  PythonPrograms(const PythonPrograms&) = delete;
  PythonPrograms& operator=(const PythonPrograms&) = delete;

  Result<> set_process(uint32_t tgid, const bp_python_proc& layout);
  // What the watchpoint at `address` stands for (an entry or a return unit).
  Result<> watch_unit(uint32_t tgid, uint64_t address, const bp_python_unit& unit);
  void unwatch_unit(uint32_t tgid, uint64_t address);
  void forget_process(uint32_t tgid);
  // A one-byte read/write watchpoint at `address` in thread `tid`, and in the threads
  // it creates from now on (inherited); the program runs at each access. Place and
  // remove it only while the process is stopped (python/process_pause.h).
  struct Watchpoint {
    BpfLinkPtr link;  // owns the perf event and the program's attachment
    Fd event;         // a duplicate of the perf event: keeps it alive on its own
  };
  Result<Watchpoint> attach_watchpoint(pid_t tid, uint64_t address);

 private:
  PythonPrograms() = default;
  struct SkeletonDeleter {
    void operator()(::bpfpads_python_bpf* skel) const;
  };
  std::unique_ptr<::bpfpads_python_bpf, SkeletonDeleter> skel_;
};

}  // namespace bpfpads
