#include "kernel/link_dropper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace bpfpads {
namespace {

// Closes every descriptor from `from` up, except those in `keep` (sorted). Runs in
// the forked child: system calls only.
void close_all_but(int from, const std::vector<int>& keep, int limit) {
  int next = from;
  for (size_t i = 0; i <= keep.size(); ++i) {
    int upto = i < keep.size() ? keep[i] - 1 : limit;
    if (upto >= next && syscall(SYS_close_range, next, upto, 0) != 0)
      for (int fd = next; fd <= upto; ++fd) close(fd);
    if (i < keep.size()) next = keep[i] + 1;
  }
}

}  // namespace

void drop_links_after_exit(std::vector<BpfLinkPtr> links) {
  if (links.empty()) return;
  std::vector<int> keep;
  for (const auto& l : links)
    if (int fd = bpf_link__fd(l.get()); fd > 2) keep.push_back(fd);
  int parent_alive[2];
  if (pipe(parent_alive) != 0) return;  // `links` goes out of scope: dropped here, in turn
  keep.push_back(parent_alive[0]);
  std::sort(keep.begin(), keep.end());
  rlimit nofile{};
  int limit = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY
                  ? static_cast<int>(nofile.rlim_cur) - 1
                  : 65535;
  pid_t pid = fork();
  if (pid == 0) {
    // The child: no terminal, no pipe of the caller's held open, nothing but the
    // links. It drops them when the parent's end of `parent_alive` closes, at its exit.
    setsid();
    prctl(PR_SET_NAME, "bpfpads-drop");  // what `ps` shows for the moment it lives
    int null = open("/dev/null", O_RDWR);
    for (int std_fd = 0; std_fd <= 2; ++std_fd) dup2(null, std_fd);
    close_all_but(3, keep, limit);
    char byte;
    for (;;) {  // nobody writes: it returns 0 (end of file) when the parent is gone
      ssize_t r = read(parent_alive[0], &byte, 1);
      if (r == 0 || (r < 0 && errno != EINTR)) break;
    }
    _exit(0);  // the kernel closes the links: the last references
  }
  close(parent_alive[0]);
  if (pid < 0) {
    close(parent_alive[1]);
    return;  // dropped here, in turn
  }
  // parent_alive[1] stays open until this process exits, on purpose. Dropping our
  // references now is cheap: the child holds the links, and perf-event links stop
  // firing at once (libbpf disables the event before closing it).
  links.clear();
}

}  // namespace bpfpads
