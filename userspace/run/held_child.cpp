#include "run/held_child.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace bpfpads {
namespace {

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void child_main(const ChildOptions& opt, char* const* argv, int gate_fd, int status_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // our blocked signals must not leak into the job
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTTOU, SIGTTIN, SIGTSTP, SIGCHLD, SIGPIPE})
    signal(sig, SIG_DFL);
  if (opt.take_terminal) setpgid(0, 0);

  char byte;
  while (read(gate_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  close(gate_fd);

  int err = 0;
  if (opt.gid && (setgid(*opt.gid) != 0)) err = errno;
  if (!err && opt.uid && !opt.user_name.empty() && initgroups(opt.user_name.c_str(), *opt.gid) != 0)
    err = errno;
  if (!err && opt.uid && setuid(*opt.uid) != 0) err = errno;
  if (!err) {
    execvp(argv[0], argv);
    err = errno;
  }
  ssize_t ignored = write(status_fd, &err, sizeof(err));
  (void)ignored;
  _exit(exec_failure_exit_code(err));
}

}  // namespace

std::string exec_failure_message(const std::string& command, int err_no) {
  if (err_no == ENOENT && command.find('/') == std::string::npos)
    return command + ": command not found";
  return command + ": " + std::strerror(err_no);
}

int exec_failure_exit_code(int err_no) { return err_no == ENOENT ? 127 : 126; }

void wait_readable(int fd, const std::function<void()>& while_waiting) {
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, 5);
    if (ready < 0 && errno != EINTR) return;
    if (ready > 0) return;
    if (while_waiting) while_waiting();
  }
}

Result<HeldChild> HeldChild::spawn(const ChildOptions& opt) {
  if (opt.argv.empty()) return make_error("no command given", "run");
  int gate[2], status[2];
  if (pipe2(gate, O_CLOEXEC) != 0) return make_errno_error("pipe", errno, "run");
  if (pipe2(status, O_CLOEXEC) != 0) {
    int e = errno;
    close(gate[0]);
    close(gate[1]);
    return make_errno_error("pipe", e, "run");
  }
  std::vector<char*> argv;
  for (const auto& a : opt.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return make_errno_error("fork", errno, "run");
  if (pid == 0) {
    close(gate[1]);
    close(status[0]);
    child_main(opt, argv.data(), gate[0], status[1]);
  }
  close(gate[0]);
  close(status[1]);

  HeldChild child;
  child.pid_ = pid;
  child.gate_.reset(gate[1]);
  child.exec_status_.reset(status[0]);
  if (opt.take_terminal) {
    setpgid(pid, pid);  // also here, so that it holds before either side goes on
    if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp()) {
      // We are the foreground group: hand the terminal to the job.
      signal(SIGTTOU, SIG_IGN);
      if (tcsetpgrp(STDIN_FILENO, pid) == 0) child.owns_terminal_ = true;
    }
  }
  return child;
}

int HeldChild::release(const std::function<void()>& while_waiting) {
  gate_.reset();  // EOF on the gate: the child goes on to exec
  int err = 0;
  ssize_t n;
  wait_readable(exec_status_.get(), while_waiting);
  do {
    n = read(exec_status_.get(), &err, sizeof(err));
  } while (n < 0 && errno == EINTR);
  exec_status_.reset();
  return n == static_cast<ssize_t>(sizeof(err)) ? err : 0;
}

void HeldChild::restore_terminal() {
  if (!owns_terminal_) return;
  owns_terminal_ = false;
  signal(SIGTTOU, SIG_IGN);
  tcsetpgrp(STDIN_FILENO, getpgrp());
}

HeldChild::HeldChild(HeldChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      gate_(std::move(other.gate_)),
      exec_status_(std::move(other.exec_status_)),
      owns_terminal_(std::exchange(other.owns_terminal_, false)) {}

HeldChild::~HeldChild() { restore_terminal(); }

}  // namespace bpfpads
