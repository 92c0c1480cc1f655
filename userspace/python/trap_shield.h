// Keeps hardware watchpoints from killing the job. On this VM (Firecracker, measured in
// docs/python-tracing.md) a watchpoint hit now and then arrives with an empty DR6; Linux
// takes it for an `icebp` and sends the thread SIGTRAP (si_code TRAP_BRKPT), whose
// default action kills the process. The watchpoint's perf event never sees that hit.
//
// The shield is a ptrace tracer (PTRACE_SEIZE: nothing stops, nothing is written) over
// every thread of a watched process and of the threads and processes it starts later
// (they inherit the watchpoints). Every signal reaches the tracer first: a SIGTRAP with
// TRAP_BRKPT is dropped and counted (the hit it stands for is reported to `on_lost_hit`
// while the thread is still stopped at it); every other signal is passed on unchanged,
// group stops stay stops (PTRACE_LISTEN). If bpfpads dies, the kernel detaches the
// tracees, and with bpfpads' perf events gone nothing traps any more.
//
// All ptrace requests come from one thread of ours (the kernel ties tracees to the
// thread that seized them); protect() and release() hand their work to it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/error.h"

namespace bpfpads {

class TrapShield {
 public:
  // tgid of the protected process the thread belongs to (the one protect() named),
  // the thread, and its instruction pointer at the trap.
  using LostHit = std::function<void(pid_t protected_pid, pid_t tid, uint64_t ip)>;
  // A thread is exiting, its memory still there (PTRACE_EVENT_EXIT): the thread waits
  // until this returns, so that what it left to read can be read (keep it short).
  using Exiting = std::function<void(pid_t protected_pid, pid_t tid)>;

  explicit TrapShield(LostHit on_lost_hit = {}, Exiting on_exit = {});
  ~TrapShield();  // lets go of every process and ends the tracer thread
  TrapShield(const TrapShield&) = delete;
  TrapShield& operator=(const TrapShield&) = delete;

  // Seizes every thread of `pid`; threads and processes it starts later come by
  // themselves. An error says why (another tracer holds it, Yama forbids it, ...).
  Result<> protect(pid_t pid);
  // Lets go of `pid` and its descendants (after their watchpoints are gone). Waits
  // for at most a second.
  void release(pid_t pid);

  // Traps dropped for `pid` (and its descendants); all of them.
  uint64_t dropped(pid_t pid) const;
  uint64_t dropped_total() const { return dropped_total_.load(); }

 private:
  struct Request {
    enum class Kind { Protect, Release, Quit } kind;
    pid_t pid = 0;
    bool done = false;
    Result<> result = {};
  };
  struct Tracee {
    pid_t root = 0;  // the protected process it belongs to
    bool leaving = false;  // release(): interrupted, to be detached at its next stop
  };

  void loop();
  Result<> seize_process(pid_t pid);
  void start_release(pid_t pid);
  void handle_stop(pid_t tid, int status);
  void detach(pid_t tid, int signal);
  Result<> submit(Request::Kind kind, pid_t pid);
  void wake();

  LostHit on_lost_hit_;
  Exiting on_exit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Request>> requests_;
  std::map<pid_t, Tracee> tracees_;     // the tracer thread's alone
  std::map<pid_t, uint64_t> dropped_;   // by protected pid, under mu_
  std::atomic<uint64_t> dropped_total_{0};
  std::atomic<pid_t> tracer_tid_{0};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace bpfpads
