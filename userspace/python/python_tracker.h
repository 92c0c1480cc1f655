// The Python targets of a run's mapping files at work: finds which of the job's
// processes are Python interpreters bpfpads can read, resolves each target's dotted
// path as soon as its module is imported (a thread looks every 2 ms while targets
// are missing: reading sys.modules' size costs the job nothing), watches the resolved
// code objects' entry and return units within the 4 debug registers, and pairs the
// events into calls for the pipeline. Every process that gets a watchpoint is under
// the trap shield first.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "kernel/python_programs.h"
#include "kernel/records.h"
#include "mapping/version_constraint.h"
#include "pipeline/python_call.h"
#include "python/call_decoder.h"
#include "python/call_pairing.h"
#include "python/python_process.h"
#include "python/python_watch.h"
#include "python/trap_shield.h"

namespace bpfpads {

struct SharedMaps;

struct PythonTarget {
  uint32_t hook_id = 0;
  std::string path;      // "sklearn.base._fit_context.<locals>.decorator.<locals>.wrapper"
  bool entry = true;     // its loggers need the call's start (parameters, inputs)
  bool exits = false;    // ... or its return (metrics, outputs)
  bool params = false;   // read the instance's hyperparameters at the call
  // Behind a wrapper: only calls of functions from these modules (prefixes at a dot)
  // count; empty: all.
  std::vector<std::string> modules;
  // The package it belongs to (the mapping's metadata.library): its __version__ must
  // satisfy the constraint before the target is watched.
  std::string library;
  std::optional<VersionConstraint> library_version;
};

class PythonTracker {
 public:
  using Emit = std::function<void(const PythonCallDone&)>;

  // The watchpoint program is loaded on the tracker's thread as it starts.
  static std::unique_ptr<PythonTracker> create(const SharedMaps& maps, std::vector<PythonTarget> targets);
  ~PythonTracker();
  PythonTracker(const PythonTracker&) = delete;
  PythonTracker& operator=(const PythonTracker&) = delete;

  // A process of the job started a program (or is the one attached to): looked at
  // until it shows an interpreter, for 2 seconds.
  void add_process(pid_t pid);
  void process_exited(pid_t pid);
  // On the thread that reads the ring buffer.
  void on_event(const PythonCallEvent& e, const Emit& emit);
  // Readable when a watched process is exiting: the ring buffer's events should be
  // read now, while its memory can be read; then call drained().
  int wakeup_fd() const { return wakeup_.get(); }
  void drained();
  // The end: watches removed, calls still open emitted as running.
  void finish(const Emit& emit);

  // For the run: what each target became, and what the interpreters said.
  std::vector<std::string> target_notes() const;
  std::vector<std::string> degradations() const;
  uint64_t dropped_traps() const { return shield_.dropped_total(); }
  uint64_t calls() const { return calls_; }
  uint64_t ignored_hits() const { return ignored_hits_; }
  uint64_t calls_of_other_functions() const { return filtered_; }
  uint64_t values_gone() const { return values_gone_; }
  // What placing watchpoints held the job's processes for (paused), in all.
  uint64_t held_ns() const { return held_ns_.load(); }
  // Watchpoint traps the job took (each a debug exception), known after finish().
  uint64_t watchpoint_hits() const { return hits_.load(); }
  // The version of `library` found in the job's processes ("" when none imported it).
  std::string library_version(const std::string& library) const;
  uint64_t repeated_entries() const { return pairing_.repeated_entries(); }
  uint64_t returns_without_entry() const { return pairing_.returns_without_entry(); }

 private:
  struct Process {
    PythonProcess py;
    std::unique_ptr<PythonResolver> resolver;
    std::unique_ptr<PythonWatch> watch;
    std::set<size_t> resolved;            // targets resolved here
    std::set<uint64_t> constants_offered;  // code objects whose constant returns were offered
    int64_t modules_seen = -1;            // sys.modules' size at the last look
    uint64_t last_try_ns = 0;
  };
  struct Candidate {
    pid_t pid;
    uint64_t since_ns;
  };

  PythonTracker(const SharedMaps& maps, std::vector<PythonTarget> targets);
  void loop();
  void look_at_candidates();
  void resolve_targets(Process& p);
  void note(size_t target, const std::string& text);
  CallDecoder* decoder_for(uint32_t tgid);
  // Whether a process that started `tgid` (its parent, or further up) is inside a
  // watched call: a joblib worker's fits belong to its parent's GridSearchCV.fit.
  bool inside_a_parents_call(uint32_t tgid);

  const SharedMaps& maps_;
  std::unique_ptr<PythonPrograms> programs_;  // the tracker thread's, loaded when it starts
  std::vector<PythonTarget> targets_;
  TrapShield shield_{{}, [this](pid_t, pid_t) { hold_exit(); }};
  std::map<uint32_t, size_t> target_of_hook_;

  mutable std::mutex mu_;  // what the thread and the ring-buffer reader share
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<Candidate> candidates_;
  std::map<pid_t, std::unique_ptr<Process>> processes_;
  std::map<pid_t, PythonProcess> found_;       // for the decoders
  std::vector<std::string> target_notes_;      // one per target
  std::vector<std::string> degradations_;
  std::set<pid_t> exited_;
  std::map<std::string, std::string> library_versions_;

  // The ring-buffer reader's own.
  std::map<uint32_t, std::unique_ptr<CallDecoder>> decoders_;
  std::map<uint32_t, uint32_t> parent_of_;  // as /proc said when its decoder was made
  CallPairing pairing_;
  std::map<uint64_t, PythonCallInfo> at_entry_;  // by pairing id
  uint64_t next_id_ = 1;
  uint64_t calls_ = 0;
  uint64_t ignored_hits_ = 0;
  uint64_t filtered_ = 0;
  uint64_t values_gone_ = 0;
  std::atomic<uint64_t> held_ns_{0};
  std::atomic<uint64_t> hits_{0};

  // An exiting process waits (at most kExitHoldMs) until the reader has drained the
  // events it sent: the calls' names and values are read from its memory.
  void hold_exit();
  Fd wakeup_;
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  uint64_t drain_asked_ = 0, drain_done_ = 0;

  std::thread thread_;
};

}  // namespace bpfpads
