#include "python/python_watch.h"

#include <dirent.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "common/log.h"
#include "python/process_pause.h"

namespace bpfpads {
namespace {

std::vector<pid_t> threads_of(pid_t pid) {
  std::vector<pid_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    closedir(d);
  }
  return out;
}

}  // namespace

PythonWatch::PythonWatch(PythonPrograms& programs, const PythonProcess& py) : programs_(programs), py_(py) {}

PythonWatch::~PythonWatch() { remove_all(); }

std::vector<std::string> PythonWatch::add(const std::vector<WatchRequest>& requests, bool already_stopped) {
  std::vector<std::string> outcome(requests.size());
  std::vector<size_t> fresh;  // requests whose code object gets a watchpoint now
  auto tgid = static_cast<uint32_t>(py_.pid);
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& f = requests[i].function;
    bool known = std::find(code_.begin(), code_.end(), f.code) != code_.end();
    if (!known && code_.size() + fresh.size() >= kMaxWatchedCode) {
      outcome[i] = "not watched: " + std::to_string(kMaxWatchedCode) +
                   " code objects are watched in this process already (4 debug registers per thread)";
      continue;
    }
    if (auto r = programs_.watch_code(tgid, f.code, requests[i].hook_id); !r) {
      outcome[i] = r.error().describe();
      continue;
    }
    if (!known) fresh.push_back(i);
  }
  if (fresh.empty()) return outcome;
  if (auto r = programs_.set_process(tgid, bpf_python_layout(py_)); !r) {
    for (size_t i : fresh) outcome[i] = r.error().describe();
    return outcome;
  }
  ProcessPause pause(py_.pid, already_stopped);
  if (!pause.stopped()) {
    for (size_t i : fresh) outcome[i] = "not watched: the process could not be paused to place the watchpoint";
    return outcome;
  }
  for (size_t i : fresh) {
    const auto& f = requests[i].function;
    size_t placed = 0;
    for (pid_t tid : threads_of(py_.pid)) {
      auto w = programs_.attach_watchpoint(tid, f.first_instruction);
      if (!w) {
        outcome[i] = w.error().describe();  // the threads placed so far keep theirs
        continue;
      }
      links_.push_back(std::move(w->link));
      event_fds_.push_back(std::move(w->event));
      ++placed;
    }
    if (placed > 0) {
      code_.push_back(f.code);
      addresses_.push_back(f.first_instruction);
    }
  }
  return outcome;
}

std::vector<int> PythonWatch::event_fds() const {
  std::vector<int> out;
  for (const auto& fd : event_fds_) out.push_back(fd.get());
  return out;
}

void PythonWatch::remove_all() {
  if (links_.empty() && event_fds_.empty()) return;
  // A process that has exited has nothing left to trap; else pause it around the removal.
  std::optional<ProcessPause> pause;
  if (kill(py_.pid, 0) == 0) pause.emplace(py_.pid);
  if (pause && !pause->stopped())
    log::warning("removing Python watchpoints from process " + std::to_string(py_.pid) +
                 " without a pause: it did not stop within a second");
  links_.clear();
  event_fds_.clear();
  for (uint64_t code : code_) programs_.unwatch_code(static_cast<uint32_t>(py_.pid), code);
  code_.clear();
  addresses_.clear();
}

}  // namespace bpfpads
