#include "run/process_scan.h"

#include <dirent.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace bpfpads {

std::optional<TaskStat> parse_task_stat(const std::string& text) {
  // "pid (comm) state ppid ...": comm may hold anything, so parse after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(text.substr(close + 1));
  std::string state;
  long ppid = 0;
  if (!(in >> state >> ppid) || state.size() != 1) return std::nullopt;
  TaskStat st;
  st.state = state[0];
  st.ppid = static_cast<pid_t>(ppid);
  std::string field;
  for (int i = 5; in >> field; ++i) {  // field 5 is pgrp
    if (i == 9) st.flags = std::strtoul(field.c_str(), nullptr, 10);
    if (i == 22) {
      st.start_time = field;
      break;
    }
  }
  return st;
}

std::optional<TaskStat> read_task_stat(const std::filesystem::path& stat_file) {
  std::ifstream in(stat_file);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_task_stat(text);
}

std::optional<TaskStat> task_stat_of(pid_t pid) { return read_task_stat("/proc/" + std::to_string(pid) + "/stat"); }

std::optional<pid_t> parse_stat_ppid(const std::string& text) {
  auto st = parse_task_stat(text);
  if (!st) return std::nullopt;
  return st->ppid;
}

std::vector<ProcessEntry> read_process_table(const std::filesystem::path& proc) {
  std::vector<ProcessEntry> table;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc, ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto st = read_task_stat(entry.path() / "stat")) table.push_back({static_cast<pid_t>(std::stol(name)), st->ppid});
  }
  return table;
}

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

std::vector<pid_t> descendants_of(pid_t root, const std::vector<ProcessEntry>& table) {
  std::unordered_multimap<pid_t, pid_t> children;
  for (const auto& e : table) children.emplace(e.ppid, e.pid);
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{root};
  while (!frontier.empty()) {
    pid_t p = frontier.back();
    frontier.pop_back();
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) {
      if (it->second == root) continue;
      out.push_back(it->second);
      frontier.push_back(it->second);
    }
  }
  return out;
}

bool process_exists(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

std::vector<std::string> read_cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

std::optional<std::filesystem::path> read_cwd(pid_t pid) {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
  if (ec) return std::nullopt;
  return p;
}

}  // namespace bpfpads
