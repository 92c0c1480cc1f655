// The watchpoints of one Python process: which bytecode units are watched (a code
// object's first unit, where its calls start, and its return units), and one
// watchpoint per unit in each of its threads (threads started later inherit them).
// x86 has 4 debug registers per thread, shared with debuggers: a process gets at most
// kMaxWatchedUnits units; what does not fit is refused with a reason.
//
// Every thread of the process is under a TrapShield before the first watchpoint goes
// in: this VM's hypervisor turns some watchpoint hits into SIGTRAPs that would kill it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "kernel/python_programs.h"
#include "python/python_process.h"
#include "python/python_resolver.h"
#include "python/trap_shield.h"

namespace bpfpads {

inline constexpr size_t kMaxWatchedUnits = 4;

struct UnitRequest {
  uint64_t address = 0;
  bp_python_unit unit{};
};

// What BPF needs to know of a return unit of `code` under `hook_id`.
bp_python_unit return_unit(uint64_t code, uint32_t hook_id, const CodeUnits& units, const CodeUnits::Return& r);
bp_python_unit entry_unit(uint64_t code, uint32_t hook_id);

class PythonWatch {
 public:
  // `shield` may be null only where the caller handles SIGTRAP itself (test tools).
  PythonWatch(PythonPrograms& programs, const PythonProcess& py, TrapShield* shield);
  ~PythonWatch();  // removes the watchpoints inside a pause of the process
  PythonWatch(const PythonWatch&) = delete;
  PythonWatch& operator=(const PythonWatch&) = delete;

  size_t free_units() const { return kMaxWatchedUnits - addresses_.size(); }
  // Watches these units, inside one pause of the process (`already_stopped`: it is
  // held at a library-load stop). Per request: "" or why it is not watched.
  std::vector<std::string> add(const std::vector<UnitRequest>& requests, bool already_stopped = false);
  // The perf-event descriptors of every watchpoint.
  std::vector<int> event_fds() const;
  size_t watched() const { return addresses_.size(); }
  uint64_t held_ns() const { return held_ns_; }  // the process paused for placing them, in all
  uint64_t hits() const { return hits_; }  // traps taken, known once removed
  const PythonProcess& process() const { return py_; }

  // Drops every watchpoint now (inside a pause); the destructor then has nothing to do.
  void remove_all();
  // The process has exited: its watchpoints go without a pause (nothing runs to trap).
  void process_exited() { exited_ = true; }

 private:
  PythonPrograms& programs_;
  PythonProcess py_;
  TrapShield* shield_;
  bool shielded_ = false;
  bool exited_ = false;
  uint64_t held_ns_ = 0;
  uint64_t hits_ = 0;
  std::vector<uint64_t> code_;       // code objects with a watched unit
  std::vector<uint64_t> addresses_;  // watched units
  std::vector<BpfLinkPtr> links_;
  std::vector<Fd> event_fds_;        // our duplicates of the links' perf events
};

}  // namespace bpfpads
