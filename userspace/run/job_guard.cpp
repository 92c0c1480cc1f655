#include "run/job_guard.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "kernel/map_keys.h"
#include "run/guard_channel.h"
#include "run/process_scan.h"
#include "run/run_repair.h"
#include "store/spool_sync.h"
#include "store/store.h"
#include "store/uri.h"

namespace bpfpads {
namespace {

namespace ch = guard_channel;

// How long the guard keeps continuing stopped processes after bpfpads is gone: the
// kernel takes the dead collector's probes out within a few hundred milliseconds
// (measured 0.25-0.35 s for the loader watch); until then a stop can still fire.
constexpr uint64_t kWatchAfterEndNs = 3'000'000'000;
constexpr int kWatchPollMs = 10;

// The state letter of a process ('T': stopped by a signal), 0 when it is gone.
char process_state(uint32_t tgid) {
  auto st = task_stat_of(static_cast<pid_t>(tgid));
  return st ? st->state : 0;
}

// SIGCONT to every tracked process that is stopped; how many tracked ones still live
// (the map keeps the entries of processes that ended after our exit probe was gone).
size_t continue_stopped(int tracked_fd) {
  if (tracked_fd < 0) return 0;
  size_t n = 0;
  for (uint32_t tgid : u32_map_keys(tracked_fd)) {
    char state = process_state(tgid);
    if (state && state != 'Z' && state != 'X') ++n;
    if (state == 'T') kill(static_cast<pid_t>(tgid), SIGCONT);
  }
  return n;
}

bool peer_gone(int channel) {
  pollfd p{channel, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  char byte;
  return recv(channel, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0 || (p.revents & (POLLHUP | POLLERR));
}

// The run bpfpads left open: KILLED, with an end time and the reason. `sweep`: also end
// the store's other runs whose collector is gone, among them one bpfpads created but was
// killed before it could tell us (local stores).
void finalise_run(const GuardPlan& plan, const std::string& run_id, pid_t collector, bool sweep) {
  std::string uri = !plan.store.tracking_uri.empty() ? plan.store.tracking_uri
                    : std::getenv("MLFLOW_TRACKING_URI") ? std::getenv("MLFLOW_TRACKING_URI")
                                                         : "";
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  bool local = resolve_tracking_uri(uri, cwd).has_value();
  if (run_id.empty() && !(sweep && local)) return;
  if (!local) {
    // A tracking server: the spool holds the run; send it as `bpfpads sync` would, which
    // ends a run whose writer died as KILLED with bpfpads.incomplete.
    SyncOptions sync;
    auto options = store_options_from_env();
    if (options) sync.spool_dir = options->spool_dir;
    sync.tracking_uri = uri;
    sync.max_wait = std::chrono::seconds(30);
    sync.quiet = true;
    sync_spool(sync);
    return;
  }
  auto store = reopen_run_store(plan.store);
  if (!store) {
    log::warning("bpfpads ended without finishing its run, which stays open: " + store.error().describe() +
                 "; 'bpfpads repair' ends it later");
    return;
  }
  if (!run_id.empty()) {
    auto r = end_abandoned_run(**store, run_id,
                               "bpfpads (pid " + std::to_string(collector) +
                                   ") ended without finishing the run (killed or crashed); its guard ended it: "
                                   "nothing after that moment was recorded");
    log::warning("bpfpads ended without finishing run " + run_id +
                 (r ? ": marked KILLED (bpfpads.incomplete)" : " and it could not be ended: " + r.error().describe()));
  }
  if (!sweep) return;
  // A run bpfpads created but had not told us about yet (killed in between), or any
  // other whose collector is gone: the same repair as `bpfpads repair`.
  for (const auto& r : repair_open_runs(**store, /*by_guard=*/true))
    if (r.problem.empty()) log::warning("run " + r.run_id + " of a bpfpads that is gone: marked KILLED");
}

class Guard {
 public:
  Guard(const GuardPlan& plan, int channel, pid_t collector) : plan_(plan), channel_(channel), collector_(collector) {}

  [[noreturn]] void run() {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    Fd sfd(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
    while (connected_) {
      pollfd p[2] = {{channel_, POLLIN, 0}, {sfd.get(), POLLIN, 0}};
      if (poll(p, 2, -1) < 0 && errno != EINTR) break;
      if (p[1].revents & POLLIN) {
        signalfd_siginfo si;
        while (read(sfd.get(), &si, sizeof(si)) == sizeof(si)) {
        }
        reap();
      }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) on_message();
    }
    after_collector();
  }

 private:
  void on_message() {
    auto m = ch::receive_message(channel_);
    if (!m) {
      connected_ = false;
      return;
    }
    switch (m->type) {
      case ch::kWatchTracked:
        tracked_ = std::move(m->passed);
        break;
      case ch::kSpawnJob: {
        if (!plan_.job) break;
        // Orphaned grandchildren come to us: we reap them (bpfpads sees them end in the
        // kernel).
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        auto child = HeldChild::spawn(*plan_.job);
        if (child) job_.emplace(std::move(*child));
        ch::send_message(channel_, ch::kJobPid,
                         ch::encode_int(child ? job_->pid() : -(child.error().err_no ? child.error().err_no : EAGAIN)));
        break;
      }
      case ch::kReleaseJob: {
        if (!job_) break;
        released_ = true;
        // The job may be held at a library-load stop before its exec (initgroups loads
        // NSS modules): if bpfpads dies meanwhile, continue it here.
        int err = job_->release([this] {
          if (peer_gone(channel_)) continue_stopped(tracked_.get());
        });
        ch::send_message(channel_, ch::kJobExecd, ch::encode_int(err));
        break;
      }
      case ch::kRunCreated:
        run_id_ = m->payload;
        break;
      case ch::kRunFinished:
        run_finished_ = true;
        break;
      default:
        break;
    }
  }

  void reap() {
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) return;
      if (job_ && pid == job_->pid()) {
        if (connected_) job_->restore_terminal();
        job_->forget_terminal();
        if (connected_) ch::send_message(channel_, ch::kJobEnded, ch::encode_int(status));
        job_ended_ = true;
      }
    }
  }

  [[noreturn]] void after_collector() {
    if (run_finished_) {
      // Nothing left to say: let go of the terminal and of any pipe a caller reads
      // bpfpads' output from, so that nobody waits for the watch below.
      int null = open("/dev/null", O_RDWR | O_CLOEXEC);
      for (int std_fd = 0; std_fd <= 2 && null >= 0; ++std_fd) dup2(null, std_fd);
    }
    if (job_) {
      job_->forget_terminal();  // the shell has taken the terminal back
      // A job still held before its exec never starts: not one instruction of it ran.
      if (!released_ && !job_ended_) kill(job_->pid(), SIGKILL);
    }
    uint64_t until = monotonic_ns() + kWatchAfterEndNs;
    while (monotonic_ns() < until) {
      if (continue_stopped(tracked_.get()) == 0) break;
      usleep(kWatchPollMs * 1000);
    }
    // Its descriptors close before it is dead for /proc: wait for that (the repair
    // below judges collectors by it), a second at most.
    for (int i = 0; i < 100; ++i) {
      char state = process_state(static_cast<uint32_t>(collector_));
      if (state == 0 || state == 'Z' || state == 'X') break;
      usleep(10000);
    }
    // Unfinished, or never told: end what this bpfpads left open. Only once it got as
    // far as the BPF load (the map came), by which time it had opened its store.
    if (!run_finished_) finalise_run(plan_, run_id_, collector_, tracked_.valid());
    _exit(0);
  }

  const GuardPlan& plan_;
  int channel_;
  pid_t collector_;
  Fd tracked_;
  std::optional<HeldChild> job_;
  std::string run_id_;
  bool connected_ = true;
  bool released_ = false;
  bool job_ended_ = false;
  bool run_finished_ = false;
};

}  // namespace

Result<JobGuard> JobGuard::start(GuardPlan plan) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return make_errno_error("cannot create the guard's socket", errno, "socketpair");
  pid_t collector = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return make_errno_error("cannot start the guard process", e, "fork");
  }
  if (pid == 0) {
    close(sv[0]);
    prctl(PR_SET_NAME, "bpfpads-guard");
    // Interrupts are bpfpads' to handle; the guard must outlive them to keep the job's
    // process group from being orphaned. The job gets default handlers back.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE}) signal(sig, SIG_IGN);
    Guard guard(plan, sv[1], collector);
    guard.run();
  }
  close(sv[1]);
  JobGuard g;
  g.channel_.reset(sv[0]);
  return g;
}

bool JobGuard::send(char type, const std::string& payload, int pass_fd) {
  if (lost_ || !ch::send_message(channel_.get(), type, payload, pass_fd)) {
    lost_ = true;
    return false;
  }
  return true;
}

Result<> JobGuard::watch_tracked(int tracked_map_fd) {
  if (!send(ch::kWatchTracked, {}, tracked_map_fd)) return make_error("the guard process is gone", "guard");
  return {};
}

Result<pid_t> JobGuard::spawn_job() {
  if (!send(ch::kSpawnJob)) return make_error("the guard process is gone", "guard");
  auto reply = ch::receive_message(channel_.get());
  if (!reply || reply->type != ch::kJobPid) {
    lost_ = true;
    return make_error("the guard process did not start the job", "guard");
  }
  int32_t pid = ch::decode_int(reply->payload);
  if (pid <= 0) return make_errno_error("cannot start the job", -pid, "fork");
  return static_cast<pid_t>(pid);
}

int JobGuard::release_job(const std::function<void()>& while_waiting) {
  if (!send(ch::kReleaseJob)) return ECHILD;
  wait_readable(channel_.get(), while_waiting);
  auto reply = ch::receive_message(channel_.get());
  if (!reply || reply->type != ch::kJobExecd) {
    lost_ = true;
    return ECHILD;
  }
  return ch::decode_int(reply->payload);
}

void JobGuard::run_created(const std::string& run_id) { send(ch::kRunCreated, run_id); }

void JobGuard::run_finished() { send(ch::kRunFinished); }

std::optional<int> JobGuard::read_job_end() {
  if (lost_) return std::nullopt;
  auto m = ch::receive_message(channel_.get());
  if (!m) {
    lost_ = true;
    return std::nullopt;
  }
  if (m->type == ch::kJobEnded) return ch::decode_int(m->payload);
  return std::nullopt;
}

}  // namespace bpfpads
