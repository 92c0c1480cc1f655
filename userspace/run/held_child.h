// Starts the job held before exec: the process exists (and is tracked) before the
// program runs its first instruction; release() lets it exec.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

struct ChildOptions {
  std::vector<std::string> argv;
  // Run the job as this user (the sudo caller) instead of root; nullopt keeps ours.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string user_name;  // for initgroups()
  // Give the job its own process group and, when we own the terminal, make it the
  // foreground group: Ctrl-C then reaches the job the way a shell delivers it.
  bool take_terminal = true;
};

class HeldChild {
 public:
  static Result<HeldChild> spawn(const ChildOptions& options);

  // Moving hands over the terminal: only one object may give it back.
  HeldChild(HeldChild&& other) noexcept;
  HeldChild& operator=(HeldChild&&) = delete;
  ~HeldChild();

  pid_t pid() const { return pid_; }

  // Lets the child exec. Returns errno of a failed exec (ENOENT: not found), or 0.
  // `while_waiting` runs every few milliseconds until the exec happened: the child
  // may load libraries before it (initgroups loads NSS modules) and be held at the
  // loader watch until the collector has probed them.
  int release(const std::function<void()>& while_waiting = {});

  // Gives the terminal back to our process group (idempotent).
  void restore_terminal();
  // Leaves the terminal where it is from now on: our group's owner is gone and the
  // shell has taken the terminal back.
  void forget_terminal() { owns_terminal_ = false; }

 private:
  HeldChild() = default;
  pid_t pid_ = -1;
  Fd gate_;         // write end: closing it releases the child
  Fd exec_status_;  // read end: errno of a failed exec, or EOF on success
  bool owns_terminal_ = false;
};

// Waits until `fd` is readable (or failed), running `while_waiting` every few
// milliseconds meanwhile: the held job may stop at a library load that the collector
// has to handle before the job can go on.
void wait_readable(int fd, const std::function<void()>& while_waiting);

// What a shell prints for a command it cannot run, e.g. "foo: command not found".
std::string exec_failure_message(const std::string& command, int err_no);
// The exit status a shell gives such a command: 127 not found, 126 not executable.
int exec_failure_exit_code(int err_no);

}  // namespace bpfpads
