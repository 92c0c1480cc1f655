#include "run/session.h"

#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "common/clock.h"
#include "common/log.h"
#include "hardware/machine_usage.h"
#include "hardware/tree_usage.h"
#include "kernel/bpf_programs.h"
#include "kernel/link_dropper.h"
#include "kernel/privileges.h"
#include "kernel/proctree_probe.h"
#include "kernel/shared_maps.h"
#include "run/attach_target.h"
#include "run/file_tail.h"
#include "run/held_child.h"
#include "run/identity.h"
#include "run/job_guard.h"
#include "run/output_tail.h"
#include "run/process_scan.h"
#include "run/run_repair.h"
#include "run/run_recorder.h"
#include "run/run_store.h"
#include "setup/setup_function.h"
#include "setup/setup_text.h"
#include "store/store.h"

namespace bpfpads {
namespace {

// Debug output of where start-up time goes (-v), one lap at a time.
class StartupClock {
 public:
  void lap(const char* what) {
    uint64_t now = monotonic_ns();
    log::debug(std::string("start-up: ") + what + " took " + std::to_string((now - last_) / 1000000) + " ms");
    last_ = now;
  }

 private:
  uint64_t last_ = monotonic_ns();
};

// What execvp would run: a name with a slash as is, else the first match in $PATH.
std::string resolve_command(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// An interrupt (SIGINT, SIGTERM, SIGHUP, SIGQUIT) that arrived while they were blocked
// during start-up, taken off the pending set; 0 when none did.
int take_pending_interrupt() {
  sigset_t interrupts;
  sigemptyset(&interrupts);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&interrupts, sig);
  timespec now{};
  int sig = sigtimedwait(&interrupts, nullptr, &now);
  return sig > 0 ? sig : 0;
}

// How the job ended, from a wait(2) status.
struct JobEnd {
  bool known = false;
  int exit_code = 0;  // meaningful when !signaled
  int signal = 0;     // meaningful when signaled
  bool signaled = false;

  static JobEnd from_wait_status(int status) {
    JobEnd e;
    e.known = true;
    if (WIFSIGNALED(status)) {
      e.signaled = true;
      e.signal = WTERMSIG(status);
    } else {
      e.exit_code = WEXITSTATUS(status);
    }
    return e;
  }
  // What a shell reports for the job: the code, or 128 + signal.
  int shell_status() const { return signaled ? 128 + signal : exit_code; }
  bool success() const { return known && !signaled && exit_code == 0; }
};

class Session {
 public:
  explicit Session(const SessionOptions& opt) : opt_(opt), stdout_tail_(opt.output_tail_bytes),
                                                stderr_tail_(opt.output_tail_bytes) {}
  int run();

 private:
  Result<> prepare();
  Result<> load_and_attach(StartupClock& clock);
  Result<> start_job();
  Result<> adopt_job();
  void record_setup();
  Result<> event_loop();
  void on_event(const KernelEvent& ev);
  void on_signal(const signalfd_siginfo& si);
  size_t forward_to_tracked_groups(int sig);
  void reap_children();
  void on_guard();
  void sample();
  bool tree_done();
  int finish();
  void read_file_tails();

  const SessionOptions& opt_;
  std::unique_ptr<Store> store_;
  std::string experiment_id_;
  SharedMaps shared_maps_;                 // before every BPF object: outlives the hook load thread
  std::unique_ptr<BpfPrograms> programs_;  // before the probes that use it: destroyed last
  std::unique_ptr<HookEngine> hooks_;
  std::unique_ptr<ProcTreeProbe> probe_;
  std::optional<JobGuard> guard_;  // the job's parent; outlives us (run/job_guard.h)
  bool started_job_ = false;       // run mode: the guard forked the job
  Redactor redactor_;
  std::unique_ptr<RunRecorder> recorder_;
  std::vector<std::string> job_argv_;
  std::string executable_;  // the job's program, resolved like execvp
  std::string hooks_degradation_;
  std::filesystem::path job_cwd_;
  pid_t root_pid_ = 0;
  InvokingUser user_{};
  std::optional<FsIdentity> caller_files_;
  std::vector<RepairedRun> repaired_;  // runs of dead collectors this start ended  // under sudo: the caller, who owns the job's folders

  UsageTracker usage_{false};
  MachineUsage machine_;
  OutputTail stdout_tail_;
  OutputTail stderr_tail_;
  std::optional<FileTail> stdout_file_;  // set when the tails are read back from files
  std::optional<FileTail> stderr_file_;

  uint64_t start_ns_ = 0;
  uint64_t began_ns_ = 0;    // run() was called
  uint64_t startup_ns_ = 0;  // from began_ns_ until the held job was let go (run mode)
  JobEnd job_end_;
  bool root_exited_ = false;
  int interrupts_ = 0;
  int last_interrupt_ = 0;
  bool stop_waiting_ = false;  // a second interrupt: end the run without the stragglers
  int exec_errno_ = 0;
  uint64_t forks_ = 0, execs_ = 0;
  uint64_t last_tree_cpu_ns_ = 0;   // the tracked tree's CPU at the last sample
  double tick_cpu_seconds_ = 0;     // its CPU between the last two samples
  sigset_t handled_signals_{};
};

Result<> Session::prepare() {
  // Mapping files first: a mistake in them is the user's to fix, root or not.
  StartupClock clock;
  auto engine = HookEngine::load(opt_.hooks);
  if (!engine) return std::unexpected(engine.error());
  hooks_ = std::move(*engine);
  clock.lap("mapping files");
  if (auto r = check_tracing_privileges(); !r) return r;
  if (auto r = check_kernel_btf(); !r) return r;

  // The store opens beside the loading of the BPF programs: a tracking server's round
  // trips take tens of milliseconds that the job would otherwise wait for.
  auto store_ready = std::async(std::launch::async | std::launch::deferred, [this] {
    auto store = open_run_store({opt_.tracking_uri, opt_.experiment_name, opt_.offline_ok, caller_files_});
    // Runs an earlier bpfpads left open, its guard dead too, end here.
    if (store) repaired_ = repair_open_runs(*store->store);
    return store;
  });
  auto kernel_side = load_and_attach(clock);
  auto store = store_ready.get();
  // The user's own mistakes (a store that takes no writes) first.
  if (!store) return std::unexpected(store.error());
  store_ = std::move(store->store);
  experiment_id_ = std::move(store->experiment_id);
  clock.lap("store (waited for after attaching)");
  for (const auto& r : repaired_)
    if (r.problem.empty()) log::warning("run " + r.run_id + " was left open by a bpfpads that is gone: ended as KILLED");
    else log::warning("a run left open by a bpfpads that is gone could not be ended: " + r.problem);
  return kernel_side;
}

Result<> Session::load_and_attach(StartupClock& clock) {
  std::error_code ec;
  BpfOptions bopt;
  bopt.follow_children = opt_.follow_children;
  // Output into files (or /dev/null) is read back at the end: no syscall tracepoint.
  // A terminal or a pipe, and attach mode, keep the tracepoint.
  bool files_only = false;
  if (opt_.mode == SessionMode::Run && opt_.log_on_failure) {
    stdout_file_ = FileTail::watch(STDOUT_FILENO);
    stderr_file_ = FileTail::watch(STDERR_FILENO);
    files_only = (stdout_file_ || is_dev_null(STDOUT_FILENO)) && (stderr_file_ || is_dev_null(STDERR_FILENO));
    if (!files_only) {
      stdout_file_.reset();
      stderr_file_.reset();
    }
  }
  bopt.capture_output = opt_.log_on_failure && !files_only;
  hooks_->configure(bopt);
  if (hooks_->active()) {
    if (auto r = HookPrograms::check_kernel(); !r) {
      // Hooks need task storage (5.11): on an older kernel the run goes on with the
      // process tree and hardware usage, and says so.
      hooks_degradation_ = "mapping hooks are off: their BPF programs do not load on this kernel (" +
                           r.error().describe() + ")";
      log::warning(hooks_degradation_);
      auto none = HookEngine::load({.mapping_files = {}, .config_file = "", .include_default_mappings = false});
      if (!none) return std::unexpected(none.error());
      hooks_ = std::move(*none);
      hooks_->configure(bopt);
    }
  }
  auto maps = SharedMaps::create(bopt.max_processes, bopt.ring_buffer_bytes);
  if (!maps) return std::unexpected(maps.error());
  shared_maps_ = std::move(*maps);
  // From here on a stop at a library load can hold a tracked process: if we die, the
  // guard continues it.
  if (auto r = guard_->watch_tracked(shared_maps_.tracked.get()); !r) return r;
  hooks_->use_maps(shared_maps_);
  hooks_->start_python();
  // Executable targets are hooked before the job starts: their programs are verified
  // beside the core object. Otherwise they wait until the job runs.
  if (hooks_->active() && (hooks_->hooks_likely_before_start() || opt_.mode == SessionMode::Attach))
    hooks_->load_programs_in_background();
  auto programs = BpfPrograms::open_and_load(bopt, shared_maps_);
  if (!programs) return std::unexpected(programs.error());
  programs_ = std::move(*programs);
  clock.lap("BPF load");
  for (const auto& d : programs_->degradations()) log::warning(d);
  auto probe = ProcTreeProbe::attach(*programs_, [this](const KernelEvent& ev) { on_event(ev); });
  if (!probe) return std::unexpected(probe.error());
  probe_ = std::move(*probe);
  executable_ = opt_.mode == SessionMode::Run
                    ? (opt_.command.empty() ? "" : resolve_command(opt_.command[0]))
                    : read_cwd(opt_.attach_pid) ? std::filesystem::read_symlink(
                                                      "/proc/" + std::to_string(opt_.attach_pid) + "/exe", ec)
                                                      .string()
                                                : "";
  if (hooks_->active())
    if (auto r = hooks_->attach(*programs_, executable_); !r) return r;
  usage_ = UsageTracker(opt_.mode == SessionMode::Attach);
  clock.lap("attach");
  return {};
}

Result<> Session::start_job() {
  auto pid = guard_->spawn_job();
  if (!pid) return std::unexpected(pid.error());
  started_job_ = true;
  root_pid_ = *pid;
  // Tracked before it runs a single instruction of the job.
  if (auto r = probe_->track(root_pid_, getpid(), 0); !r) {
    kill(root_pid_, SIGKILL);
    return r;
  }
  job_argv_ = opt_.command;
  job_cwd_ = std::filesystem::current_path();
  // Probes on the program and the libraries it will load go in by file before it
  // runs; later dlopens are caught by the loader watch.
  hooks_->resolve_before_start(executable_);
  if (auto r = hooks_->check_unmatched(); !r) {
    kill(root_pid_, SIGKILL);  // held: not a single instruction of the job ran
    return r;
  }
  return {};
}

Result<> Session::adopt_job() {
  pid_t pid = opt_.attach_pid;
  if (!process_exists(pid))
    return make_error("no process with this PID; check it with 'ps -p " + std::to_string(pid) + "'",
                      "--pid " + std::to_string(pid));
  root_pid_ = pid;
  job_argv_ = read_cmdline(pid);
  job_cwd_ = read_cwd(pid).value_or("/");
  // Root first: from here on its forks are followed in the kernel; then the
  // descendants that exist already (inserting one twice is harmless).
  if (auto r = probe_->track(pid, 0, 0); !r) return r;
  for (pid_t d : descendants_of(pid, read_process_table()))
    if (auto r = probe_->track(d, 0, 1); !r) log::warning(r.error().describe());
  hooks_->resolve_process(pid);
  hooks_->watch_python(pid);
  for (pid_t d : descendants_of(pid, read_process_table())) {
    hooks_->resolve_process(d);
    hooks_->watch_python(d);
  }
  if (!process_exists(pid))
    return make_error("the process exited while bpfpads was attaching", "--pid " + std::to_string(pid));
  return {};
}

void Session::record_setup() {
  SetupContext ctx;
  ctx.pid = root_pid_;
  ctx.cwd = job_cwd_;
  ctx.argv = job_argv_;
  ctx.uid = user_.uid;
  ctx.user = user_.name;
  ctx.file_identity = caller_files_;
  std::vector<std::string> warnings;
  SetupOutput out = run_setup_functions(ctx, warnings);
  recorder_->set_tags(out.tags);
  recorder_->log_params(out.params);
  for (const auto& a : out.artifacts) recorder_->log_artifact(a.rel_path, a.bytes);
  if (!warnings.empty()) {
    std::string joined;
    for (const auto& w : warnings) {
      log::warning("setup " + w);
      joined += (joined.empty() ? "" : "\n") + w;
    }
    recorder_->set_tag("bpfpads.warnings", joined);
  }
}

void Session::on_event(const KernelEvent& ev) {
  if (std::holds_alternative<HookCallEvent>(ev) || std::holds_alternative<LibraryLoadedEvent>(ev) ||
      std::holds_alternative<PythonCallEvent>(ev)) {
    hooks_->on_event(ev);
    return;
  }
  // A new program may be Python; a process gone has no watchpoints left to remove.
  if (std::holds_alternative<ProcExecEvent>(ev) || std::holds_alternative<ProcExitEvent>(ev)) hooks_->on_event(ev);
  if (auto* exit = std::get_if<ProcExitEvent>(&ev)) {
    usage_.on_process_peak(exit->maxrss_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
    // Under run the guard reports the job's wait status; the kernel's word serves when
    // there is no guard left to ask.
    if (static_cast<pid_t>(exit->tgid) == root_pid_ && (opt_.mode == SessionMode::Attach || guard_->lost())) {
      job_end_ = JobEnd::from_wait_status(static_cast<int>(exit->exit_code));
      root_exited_ = true;
    }
  } else if (std::get_if<ProcForkEvent>(&ev)) {
    ++forks_;
  } else if (std::get_if<ProcExecEvent>(&ev)) {
    ++execs_;
  } else if (auto* out = std::get_if<OutputEvent>(&ev)) {
    (out->fd == 1 ? stdout_tail_ : stderr_tail_).append(out->bytes, out->cut);
  }
}

void Session::reap_children() {
  for (;;) {
    int status = 0;
    // The guard and the link dropper, this thread's children; __WNOTHREAD leaves the
    // trap shield's thread its ptrace stops.
    pid_t pid = waitpid(-1, &status, WNOHANG | __WNOTHREAD);
    if (pid <= 0) return;
  }
}

void Session::on_guard() {
  if (auto status = guard_->read_job_end()) {
    job_end_ = JobEnd::from_wait_status(*status);
    root_exited_ = true;
  }
  if (guard_->lost() && started_job_ && !root_exited_) log::warning("bpfpads' guard process ended before the job");
}

void Session::on_signal(const signalfd_siginfo& si) {
  int sig = static_cast<int>(si.ssi_signo);
  if (sig == SIGCHLD) {
    reap_children();
    return;
  }
  ++interrupts_;
  last_interrupt_ = sig;
  if (opt_.mode == SessionMode::Attach) return;  // the loop stops; the job is left alone
  // Deliver it the way a shell would, to whole process groups: every group a tracked
  // process is in (the first process may be gone, its children not), not ours.
  size_t groups = forward_to_tracked_groups(sig);
  if (interrupts_ == 1) {
    log::info("got " + signal_name(sig) + ", passed on to " + std::to_string(groups) + " process group" +
              (groups == 1 ? "" : "s") + " of the job; again to stop waiting for it");
    return;
  }
  // The second one: the run ends now, as KILLED; processes that outlive it run on
  // untracked.
  stop_waiting_ = true;
  size_t left = probe_->tracked_count();
  log::info("got " + signal_name(sig) + " again: ending the run now" +
            (left ? ", " + std::to_string(left) + " process" + (left == 1 ? "" : "es") + " of the job still running"
                  : ""));
}

size_t Session::forward_to_tracked_groups(int sig) {
  std::set<pid_t> groups;
  pid_t ours = getpgrp();
  for (pid_t pid : probe_->tracked_pids()) {
    pid_t group = getpgid(pid);
    if (group > 0 && group != ours) groups.insert(group);
    else if (group == ours) kill(pid, sig);  // in our own group: to it alone
  }
  if (root_pid_ > 0 && !root_exited_ && groups.empty()) groups.insert(root_pid_);
  for (pid_t group : groups)
    if (kill(-group, sig) != 0) kill(group, sig);
  return groups.size();
}

void Session::sample() {
  // Exited counters first, live threads second: a thread that exits in between is
  // then missed for one tick (the histories never go down) instead of being counted
  // twice, which the never-go-down rule would keep for good.
  auto exited = probe_->exited_totals();
  auto live = probe_->sample_tasks();
  if (!live || !exited) {
    log::debug("sampling failed: " + (!live ? live.error() : exited.error()).describe());
    return;
  }
  uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  TreeUsage usage = sum_usage(*live, *exited, page);
  tick_cpu_seconds_ = static_cast<double>(usage.cpu_ns - std::min(usage.cpu_ns, last_tree_cpu_ns_)) / 1e9;
  last_tree_cpu_ns_ = usage.cpu_ns;
  int64_t wall = now_ms();
  auto metrics = usage_.on_snapshot(usage, monotonic_ns() - start_ns_, wall);
  auto machine = machine_.sample(wall, metrics.empty() ? 0 : metrics.front().step);
  metrics.insert(metrics.end(), machine.begin(), machine.end());
  recorder_->log_metrics(metrics);
}

bool Session::tree_done() {
  if (opt_.mode == SessionMode::Run && !root_exited_ && !guard_->lost()) return false;
  return probe_->tracked_count() == 0;
}

Result<> Session::event_loop() {
  Fd sfd(signalfd(-1, &handled_signals_, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sfd.valid()) return make_errno_error("signalfd", errno);
  Fd tfd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!tfd.valid()) return make_errno_error("timerfd_create", errno);
  itimerspec its{};
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.interval).count();
  its.it_interval.tv_sec = ns / 1000000000;
  its.it_interval.tv_nsec = ns % 1000000000;
  its.it_value = its.it_interval;
  timerfd_settime(tfd.get(), 0, &its, nullptr);

  Fd ep(epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) return make_errno_error("epoll_create1", errno);
  for (int fd : {probe_->event_fd(), sfd.get(), tfd.get(), guard_->fd(), hooks_->python_wakeup_fd()}) {
    if (fd < 0) continue;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = fd;
    if (epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &e) != 0) return make_errno_error("epoll_ctl", errno);
  }

  // The job may have ended before the loop started (a failed exec, a fast command).
  reap_children();
  while (!tree_done()) {
    if ((opt_.mode == SessionMode::Attach && interrupts_ > 0) || stop_waiting_) break;
    epoll_event events[5];
    // Python records wake us seldom (a wake-up costs the trapping thread): read them
    // every few milliseconds, while the objects they name are still there to read.
    int n = epoll_wait(ep.get(), events, 5, hooks_->python_poll_ms());
    if (n == 0) (void)probe_->consume();
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_errno_error("epoll_wait", errno);
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == sfd.get()) {
        signalfd_siginfo si{};
        while (read(sfd.get(), &si, sizeof(si)) == sizeof(si)) on_signal(si);
      } else if (fd == guard_->fd()) {
        on_guard();
        if (guard_->lost()) epoll_ctl(ep.get(), EPOLL_CTL_DEL, fd, nullptr);
      } else if (fd == hooks_->python_wakeup_fd()) {
        (void)probe_->consume();  // a Python process waits at its exit for this
        hooks_->python_drained();
      } else if (fd == tfd.get()) {
        uint64_t expirations = 0;
        ssize_t ignored = read(tfd.get(), &expirations, sizeof(expirations));
        (void)ignored;
        (void)probe_->consume();
        sample();
        hooks_->on_tick(static_cast<double>(opt_.interval.count()) * static_cast<double>(expirations) / 1000.0,
                        tick_cpu_seconds_);
      } else {
        (void)probe_->consume();
      }
    }
  }
  (void)probe_->consume();
  return {};
}

void Session::read_file_tails() {
  // stdout and stderr into one file: one tail, as stdout_tail.txt.
  if (stdout_file_ && stderr_file_ && stdout_file_->same_file(*stderr_file_)) stderr_file_.reset();
  for (auto [file, tail] : {std::pair{&stdout_file_, &stdout_tail_}, std::pair{&stderr_file_, &stderr_tail_}}) {
    if (!*file) continue;
    if (auto r = (*file)->read_into(*tail, opt_.output_tail_bytes); !r) log::warning(r.error().describe());
  }
}

int Session::finish() {
  sample();  // the final counters: every thread has handed its numbers to `exited`
  hooks_->finish();
  uint64_t elapsed = monotonic_ns() - start_ns_;
  int64_t end = now_ms();
  std::vector<Metric> totals = usage_.totals(elapsed, end);

  DropCounts drops = probe_->drops();
  for (int r = 0; r < BP_DROP__COUNT; ++r)
    totals.push_back({std::string("bpfpads/dropped/") + drop_reason_name(r),
                      static_cast<double>(drops[static_cast<size_t>(r)]), end, 0});
  totals.push_back({"bpfpads/dropped/undecodable_records",
                    static_cast<double>(probe_->undecodable_records()), end, 0});
  totals.push_back({"bpfpads/processes_forked", static_cast<double>(forks_), end, 0});
  totals.push_back({"bpfpads/execs", static_cast<double>(execs_), end, 0});
  // What the job waited for before its first instruction: mapping files, the store,
  // loading and attaching the BPF programs.
  if (started_job_) totals.push_back({"bpfpads/startup_ms", static_cast<double>(startup_ns_) / 1e6, end, 0});
  // What tracking cost: our own CPU and memory (the job's usage is not in RUSAGE_SELF).
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  double self_cpu = static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                    static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  totals.push_back({"bpfpads/collector_cpu_seconds", self_cpu, end, 0});
  // Of that CPU, what reading the ring's records and handling them took (loggers and
  // the job's library-load stops included): the part that grows with hooked calls.
  totals.push_back({"bpfpads/records_read", static_cast<double>(probe_->records_read()), end, 0});
  totals.push_back({"bpfpads/collector_record_cpu_seconds", static_cast<double>(probe_->record_cpu_ns()) / 1e9,
                    end, 0});
  totals.push_back({"bpfpads/collector_peak_memory_mb", static_cast<double>(self.ru_maxrss) * 1024 / 1e6,
                    end, 0});
  recorder_->log_metrics(totals);

  RunStatus status;
  std::vector<Tag> tags;
  bool interrupted = interrupts_ > 0;
  if (interrupted) {
    status = RunStatus::Killed;
    tags.push_back({"bpfpads.interrupted", "true"});
  } else if (job_end_.success()) {
    status = RunStatus::Finished;
  } else {
    status = RunStatus::Failed;
  }
  if (job_end_.known) {
    if (job_end_.signaled) {
      tags.push_back({"bpfpads.signal", std::to_string(job_end_.signal)});
      tags.push_back({"bpfpads.signal_name", signal_name(job_end_.signal)});
    } else {
      tags.push_back({"bpfpads.exit_code", std::to_string(job_end_.exit_code)});
    }
  }
  if (exec_errno_ != 0)
    tags.push_back({"bpfpads.error", exec_failure_message(job_argv_.empty() ? "" : job_argv_[0], exec_errno_)});
  if (status != RunStatus::Finished && opt_.log_on_failure) {
    // Tails that came through the ring say when the ring lost records on the way.
    if (uint64_t lost = drops[BP_DROP_RINGBUF_FULL]; lost > 0 && !stdout_file_) stdout_tail_.mark_records_lost(lost);
    if (uint64_t lost = drops[BP_DROP_RINGBUF_FULL]; lost > 0 && !stderr_file_) stderr_tail_.mark_records_lost(lost);
    read_file_tails();
    if (!stdout_tail_.empty()) recorder_->log_artifact("bpfpads/stdout_tail.txt", stdout_tail_.text());
    if (!stderr_tail_.empty()) recorder_->log_artifact("bpfpads/stderr_tail.txt", stderr_tail_.text());
  }
  std::string degraded = hooks_degradation_.empty() ? "" : hooks_degradation_ + "\n";
  for (const auto& d : programs_->degradations()) degraded += d + "\n";
  for (const auto& d : hooks_->degradations()) degraded += d + "\n";
  if (!degraded.empty()) tags.push_back({"bpfpads.degraded", degraded});
  uint64_t store_failures = recorder_->failed_writes();
  tags.push_back({"bpfpads.store_write_failures", std::to_string(store_failures)});
  recorder_->set_tags(tags);
  bool ended = recorder_->finish(status, end);
  // A store that refused the end keeps the run open; the guard tries again once we are
  // gone, and `bpfpads repair` after it.
  if (ended) guard_->run_finished();
  // The REST store ships in the background: give it a bounded time to drain; what is
  // left stays in the spool for `bpfpads sync`.
  if (auto r = store_->flush(std::chrono::seconds(10)); !r) log::warning(r.error().describe());

  if (!opt_.quiet) {
    char secs[32];
    snprintf(secs, sizeof(secs), "%.1f", static_cast<double>(elapsed) / 1e9);
    std::string how = !job_end_.known  ? "job still running"
                      : job_end_.signaled ? "job killed by " + signal_name(job_end_.signal)
                                          : "exit " + std::to_string(job_end_.exit_code);
    uint64_t lost = 0;
    for (auto d : drops) lost += d;
    if (!ended)
      log::warning("the store did not take the end of run " + recorder_->info().run_id + " (" +
                   recorder_->last_failure() + "): it still shows the run RUNNING; 'bpfpads repair' ends it once " +
                   "the store takes writes again");
    if (recorder_->failed_writes() > 0)
      log::warning(std::to_string(recorder_->failed_writes()) + " writes to the store failed in this run" +
                   (recorder_->failed_writes() > 3 ? " (the first three are above)" : ""));
    log::info("run " + recorder_->info().run_id + " " + (ended ? run_status_name(status) : "RUNNING in the store") +
              " after " + secs +
              " s (" + how + "), " + recorder_->info().run_name + " in experiment " +
              experiment_id_ + " of " + store_->describe() +
              (lost ? ", " + std::to_string(lost) + " events dropped or cut (see bpfpads/dropped/*)" : ""));
    std::string url = store_->run_url(recorder_->info());
    log::info(url.empty() ? "view it with: mlflow ui --backend-store-uri " + store_->describe()
                          : "view it at " + url);
  }
  if (opt_.mode == SessionMode::Attach) return interrupted || !job_end_.known ? 0 : job_end_.shell_status();
  if (job_end_.known) return job_end_.shell_status();
  return interrupted ? 128 + last_interrupt_ : 1;  // ended before the job, as a shell reports it
}

int Session::run() {
  began_ns_ = monotonic_ns();
  sigemptyset(&handled_signals_);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&handled_signals_, sig);
  // Blocked before the fork, read through signalfd; the child unblocks them.
  sigprocmask(SIG_BLOCK, &handled_signals_, nullptr);

  // A target attach must refuse, before anything is loaded.
  if (opt_.mode == SessionMode::Attach)
    if (auto r = check_attach_target(opt_.attach_pid, opt_.force_attach); !r) {
      log::error(r.error().describe());
      return 2;
    }
  redactor_ = opt_.redact ? Redactor::with_defaults() : Redactor::disabled();
  for (const auto& p : opt_.redact_patterns)
    if (auto r = redactor_.add_pattern(p); !r) {
      log::error(r.error().describe());
      return 2;
    }
  user_ = invoking_user();
  // Under sudo (and unless the job keeps root) the caller's folders are touched as the
  // caller: the store, the job's git repository.
  if (user_.via_sudo && !opt_.keep_root) caller_files_ = FsIdentity::of_user(user_.uid, user_.gid, user_.name);
  // The guard first, while we have one thread: it is a copy of this process.
  GuardPlan plan;
  plan.store = {opt_.tracking_uri, opt_.experiment_name, opt_.offline_ok, caller_files_};
  if (opt_.mode == SessionMode::Run) {
    ChildOptions job;
    job.argv = opt_.command;
    if (user_.via_sudo && !opt_.keep_root) {
      job.uid = user_.uid;
      job.gid = user_.gid;
      job.user_name = user_.name;
    }
    plan.job = std::move(job);
  }
  auto guard = JobGuard::start(std::move(plan));
  if (!guard) {
    log::error(guard.error().describe());
    return 2;
  }
  guard_.emplace(std::move(*guard));

  if (auto r = prepare(); !r) {
    log::error(r.error().describe());
    return 2;
  }
  auto started = opt_.mode == SessionMode::Run ? start_job() : adopt_job();
  if (!started) {
    log::error(started.error().describe());
    return 2;
  }

  NewRun nr;
  nr.experiment_id = experiment_id_;
  nr.run_name = opt_.run_name;  // empty: the store names it as MLflow does
  nr.user_id = user_.name;
  nr.start_time_ms = now_ms();
  nr.tags = {{"mlflow.user", user_.name},
             {"mlflow.source.name", join_command_line(job_argv_)},
             {"mlflow.source.type", "LOCAL"},
             {"bpfpads.mode", opt_.mode == SessionMode::Run ? "run" : "attach"},
             {"bpfpads.version", BPFPADS_VERSION_STRING},
             {kCollectorTag, collector_identity()},
             {"bpfpads.sampling_interval_ms", std::to_string(opt_.interval.count())}};
  nr.tags.insert(nr.tags.end(), opt_.extra_tags.begin(), opt_.extra_tags.end());
  for (auto& t : nr.tags) t.value = redactor_.apply(t.value);
  // Interrupted during start-up (signals wait, blocked, until the loop reads them): the
  // held job never starts. Before the run exists there is no run; after, it says so.
  if (int sig = started_job_ ? take_pending_interrupt() : 0) {
    kill(root_pid_, SIGKILL);  // held before exec: not one instruction of the job ran
    log::error("interrupted by " + signal_name(sig) + " during start-up: the job was not started, no run was created");
    return 128 + sig;
  }
  auto info = store_->create_run(nr);
  if (!info) {
    if (started_job_) kill(root_pid_, SIGKILL);
    log::error(info.error().with_context("creating the run").describe());
    return 2;
  }
  recorder_ = std::make_unique<RunRecorder>(*store_, *info, &redactor_);
  guard_->run_created(info->run_id);
  start_ns_ = monotonic_ns();
  hooks_->start_run(*recorder_, now_ms() * 1000 - static_cast<int64_t>(start_ns_ / 1000));
  sample();  // step 0: the baseline, before the job runs

  for (auto* file : {&stdout_file_, &stderr_file_})
    if (*file) (*file)->mark_start();  // what bpfpads printed so far is not the job's
  if (int sig = started_job_ ? take_pending_interrupt() : 0) {
    kill(root_pid_, SIGKILL);
    std::string why = "interrupted by " + signal_name(sig) + " during start-up: the job was not started";
    recorder_->set_tags({{"bpfpads.interrupted", "true"}, {"bpfpads.error", why}});
    recorder_->finish(RunStatus::Killed, now_ms());
    guard_->run_finished();
    log::error(why + "; run " + recorder_->info().run_id + " marked KILLED");
    return 128 + sig;
  }
  if (started_job_) {
    exec_errno_ = guard_->release_job([this] { (void)probe_->consume(); });
    startup_ns_ = monotonic_ns() - began_ns_;
    if (exec_errno_ != 0)
      log::error(exec_failure_message(job_argv_.empty() ? "" : job_argv_[0], exec_errno_));
  }
  hooks_->load_programs_in_background();
  record_setup();

  if (auto r = event_loop(); !r) log::error(r.error().describe());
  probe_->continue_all();
  int status = finish();
  // The probes are done with: a child process drops them after we exit (the
  // kernel's grace periods would add 0.1-0.3 s to every run).
  std::vector<BpfLinkPtr> links;
  hooks_->release_links(links);
  probe_->release_links(links);
  drop_links_after_exit(std::move(links));
  // Attach mode leaves the job running: a library-load stop that fired after the
  // first SIGCONT, before its probe was gone, is continued here.
  probe_->continue_all();
  return status;
}

}  // namespace

int run_session(const SessionOptions& options) {
  Session session(options);
  return session.run();
}

}  // namespace bpfpads
