#include "python/trap_shield.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

#include "common/log.h"
#include "run/process_scan.h"

namespace bpfpads {
namespace {

constexpr long kTraceOptions =
    PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;

// Interrupts the tracer thread's waitpid(); the handler does nothing on purpose.
int wake_signal() { return SIGRTMIN + 7; }
void on_wake(int) {}

// "TracerPid: N" of /proc/PID/status, for the error when a seize is refused.
std::string tracer_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("TracerPid:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 10));
  return "?";
}

bool is_stop_signal(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

}  // namespace

TrapShield::TrapShield(LostHit on_lost_hit, Exiting on_exit)
    : on_lost_hit_(std::move(on_lost_hit)), on_exit_(std::move(on_exit)) {
  struct sigaction sa {};
  sa.sa_handler = on_wake;  // no SA_RESTART: waitpid() returns EINTR
  sigaction(wake_signal(), &sa, nullptr);
  thread_ = std::thread([this] { loop(); });
  while (tracer_tid_.load() == 0) std::this_thread::yield();
}

TrapShield::~TrapShield() {
  (void)submit(Request::Kind::Quit, 0);
  while (!finished_.load()) {  // it may still be in waitpid()
    wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  thread_.join();
}

Result<> TrapShield::protect(pid_t pid) { return submit(Request::Kind::Protect, pid); }

void TrapShield::release(pid_t pid) { (void)submit(Request::Kind::Release, pid); }

uint64_t TrapShield::dropped(pid_t pid) const {
  std::lock_guard lock(mu_);
  auto it = dropped_.find(pid);
  return it == dropped_.end() ? 0 : it->second;
}

void TrapShield::wake() {
  if (pid_t tid = tracer_tid_.load()) syscall(SYS_tgkill, getpid(), tid, wake_signal());
}

// Hands a request to the tracer thread and waits for it; the wake signal is sent again
// every few milliseconds because one sent just before the thread enters waitpid() is
// lost. A release or quit gives up waiting after a second (the thread goes on).
Result<> TrapShield::submit(Request::Kind kind, pid_t pid) {
  auto request = std::make_shared<Request>();
  request->kind = kind;
  request->pid = pid;
  std::unique_lock lock(mu_);
  requests_.push_back(request);
  cv_.notify_all();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kind == Request::Kind::Protect ? 10 : 1);
  while (!request->done && std::chrono::steady_clock::now() < deadline) {
    lock.unlock();
    wake();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(5), [&] { return request->done; });
  }
  if (!request->done) return make_error("the tracer thread did not answer in time", "pid " + std::to_string(pid));
  return request->result;
}

void TrapShield::loop() {
  sigset_t wake_set;
  sigemptyset(&wake_set);
  sigaddset(&wake_set, wake_signal());
  pthread_sigmask(SIG_UNBLOCK, &wake_set, nullptr);
  tracer_tid_ = static_cast<pid_t>(syscall(SYS_gettid));
  std::vector<std::shared_ptr<Request>> releasing;
  bool quitting = false;
  std::chrono::steady_clock::time_point quit_deadline;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      while (!requests_.empty()) {
        auto r = requests_.front();
        requests_.pop_front();
        if (r->kind == Request::Kind::Protect) {
          lock.unlock();
          auto result = seize_process(r->pid);
          lock.lock();
          r->result = std::move(result);
          r->done = true;
        } else {
          if (r->kind == Request::Kind::Quit && !quitting) {
            quitting = true;
            quit_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
          }
          for (auto& [tid, t] : tracees_)
            if (r->kind == Request::Kind::Quit || t.root == r->pid) {
              if (!t.leaving && ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0 && errno == ESRCH) continue;
              t.leaving = true;
            }
          releasing.push_back(r);
        }
      }
      // A release is done when none of its threads is held any more.
      for (auto it = releasing.begin(); it != releasing.end();) {
        bool held = false;
        for (const auto& [tid, t] : tracees_)
          held = held || (*it)->kind == Request::Kind::Quit || t.root == (*it)->pid;
        if (!held) {
          (*it)->done = true;
          it = releasing.erase(it);
        } else {
          ++it;
        }
      }
      // Quitting ends the thread after a second even with tracees left: the kernel
      // detaches them when this thread exits.
      if (quitting && (tracees_.empty() || std::chrono::steady_clock::now() > quit_deadline)) {
        for (auto& r : releasing) r->done = true;
        finished_ = true;
        cv_.notify_all();
        return;
      }
      cv_.notify_all();
      if (tracees_.empty()) {
        cv_.wait(lock, [&] { return !requests_.empty(); });
        continue;
      }
    }
    int status = 0;
    pid_t tid = waitpid(-1, &status, __WALL | __WNOTHREAD);
    if (tid < 0) {
      if (errno == ECHILD) tracees_.clear();  // every tracee is gone
      continue;
    }
    handle_stop(tid, status);
  }
}

Result<> TrapShield::seize_process(pid_t pid) {
  // Threads started while we list them: a seized thread's new threads come by
  // themselves (PTRACE_O_TRACECLONE); one started by a thread not yet seized needs
  // another look.
  for (int pass = 0; pass < 8; ++pass) {
    bool found_new = false;
    for (pid_t tid : threads_of(pid)) {
      if (auto known = tracees_.find(tid); known != tracees_.end()) {
        known->second.root = pid;  // a child of a shielded process, shielded since its fork
        continue;
      }
      if (ptrace(PTRACE_SEIZE, tid, 0, kTraceOptions) != 0) {
        int e = errno;
        if (e == ESRCH) continue;  // the thread has just ended
        for (auto& [t, tracee] : tracees_)  // let go at their next stop
          if (tracee.root == pid && !tracee.leaving && ptrace(PTRACE_INTERRUPT, t, 0, 0) == 0) tracee.leaving = true;
        return make_errno_error("cannot trace the process to shield it from spurious debug traps (TracerPid: " +
                                    tracer_of(pid) + ")",
                                e, "pid " + std::to_string(pid));
      }
      tracees_[tid] = Tracee{pid, false};
      found_new = true;
    }
    if (!found_new) break;
  }
  if (tracees_.empty()) return make_error("the process has no threads left", "pid " + std::to_string(pid));
  return {};
}

void TrapShield::detach(pid_t tid, int signal) {
  ptrace(PTRACE_DETACH, tid, 0, signal);
  tracees_.erase(tid);
}

void TrapShield::handle_stop(pid_t tid, int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    tracees_.erase(tid);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  // A thread or process started by a tracee may report before its parent's event
  // names it: its root is filled in then.
  Tracee& t = tracees_[tid];
  int sig = WSTOPSIG(status);
  int event = (status >> 16) & 0xff;
  if (event == PTRACE_EVENT_STOP) {
    if (t.leaving) return detach(tid, 0);  // a group stop stays a stop after the detach
    // A group stop (SIGSTOP, Ctrl-Z) stays a stop until SIGCONT; anything else is the
    // first stop of a new tracee or our interrupt.
    ptrace(is_stop_signal(sig) ? PTRACE_LISTEN : PTRACE_CONT, tid, 0, 0);
    return;
  }
  if (event != 0) {
    unsigned long message = 0;
    ptrace(PTRACE_GETEVENTMSG, tid, 0, &message);
    auto other = static_cast<pid_t>(message);
    if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK)
      tracees_[other].root = t.root;
    else if (event == PTRACE_EVENT_EXEC && other != tid)
      tracees_.erase(other);  // a non-leader thread exec'd: it goes on under the leader's id
    else if (event == PTRACE_EVENT_EXIT && on_exit_ && !t.leaving)
      on_exit_(t.root, tid);
    if (t.leaving) return detach(tid, 0);
    ptrace(PTRACE_CONT, tid, 0, 0);
    return;
  }
  // A signal about to be delivered.
  int deliver = sig;
  if (sig == SIGTRAP) {
    siginfo_t si{};
    if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 && si.si_code == TRAP_BRKPT) {
      deliver = 0;
      {
        std::lock_guard lock(mu_);
        ++dropped_[t.root];
      }
      ++dropped_total_;
      if (on_lost_hit_) on_lost_hit_(t.root, tid, reinterpret_cast<uint64_t>(si.si_addr));
    }
  }
  if (t.leaving) return detach(tid, deliver);
  ptrace(PTRACE_CONT, tid, 0, deliver);
}

}  // namespace bpfpads
