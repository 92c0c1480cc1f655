// The guard: a small process, forked from bpfpads before any thread exists, that is
// the job's parent and outlives bpfpads. If bpfpads dies (SIGKILL, the OOM killer, a
// crash) while the job is held at a library-load stop, the job must not pay for it:
//  - the guard is the job's parent, in another process group of the same session, so
//    the job's group never becomes orphaned by bpfpads' death (an orphaned group with
//    a stopped member gets SIGHUP from the kernel, which ends most jobs);
//  - it holds the tracked-process map and, once bpfpads is gone, sends SIGCONT to every
//    tracked process that is stopped, until the probes that stop them are gone;
//  - it finalises the run bpfpads left open: KILLED with an end time and
//    `bpfpads.incomplete` (local stores written directly, a tracking server through
//    the spool, as `bpfpads sync` would);
//  - a job still held before exec when bpfpads dies never starts.
// bpfpads talks to it over a socket; the guard learns of bpfpads' end from that
// socket's end of file, which no signal can hide.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "run/held_child.h"
#include "run/run_store.h"

namespace bpfpads {

struct GuardPlan {
  std::optional<ChildOptions> job;  // run mode: the job the guard forks and parents
  RunStoreRequest store;            // where a run left open is finalised
};

class JobGuard {
 public:
  // Forks the guard. Call it while this process has one thread: the guard is a copy of
  // it and goes on using the C and C++ libraries.
  static Result<JobGuard> start(GuardPlan plan);

  // Hands over the map of tracked processes (a duplicate of its descriptor).
  Result<> watch_tracked(int tracked_map_fd);
  // Run mode: the guard forks the job, held before exec (HeldChild); its PID.
  Result<pid_t> spawn_job();
  // Lets the job exec; returns errno of a failed exec, or 0. `while_waiting` runs every
  // few milliseconds until then, as for HeldChild::release.
  int release_job(const std::function<void()>& while_waiting);
  // The run exists: finalise it if bpfpads ends before finished() is sent.
  void run_created(const std::string& run_id);
  // bpfpads ended the run itself.
  void run_finished();

  // Readable when the guard has news (the job's end) or is gone.
  int fd() const { return channel_.get(); }
  // Reads what is there; the job's wait(2) status once it ended.
  std::optional<int> read_job_end();
  // The guard ended before bpfpads (killed): the job's end comes from the kernel's
  // exit event instead.
  bool lost() const { return lost_; }

 private:
  JobGuard() = default;
  bool send(char type, const std::string& payload = {}, int pass_fd = -1);
  Fd channel_;
  bool lost_ = false;
};

}  // namespace bpfpads
