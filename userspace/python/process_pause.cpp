#include "python/process_pause.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "run/process_scan.h"

namespace bpfpads {
bool all_threads_stopped(pid_t pid) {
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(task_dir.c_str());
  if (!d) return false;
  bool all = true;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    auto st = read_task_stat(task_dir + "/" + e->d_name + "/stat");
    char s = st ? st->state : 0;
    if (s == 0 || s == 'Z' || s == 'X') continue;  // gone or exiting: runs no user code
    if (s != 'T' && s != 't') all = false;
  }
  closedir(d);
  return all;  // no live thread (a zombie): nothing runs that could trap
}

ProcessPause::ProcessPause(pid_t pid, bool already_stopped, std::chrono::milliseconds budget) : pid_(pid) {
  if (!already_stopped) {
    if (kill(pid, SIGSTOP) != 0) return;
    ours_ = true;
  }
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (!(stopped_ = all_threads_stopped(pid)) && std::chrono::steady_clock::now() < deadline) usleep(200);
}

ProcessPause::~ProcessPause() {
  if (ours_) kill(pid_, SIGCONT);
}

}  // namespace bpfpads
