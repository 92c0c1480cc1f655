#include "run/process_scan.h"

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace bpfpads {

std::optional<pid_t> parse_stat_ppid(const std::string& text) {
  // "pid (comm) state ppid ...": comm may hold anything, so parse after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(text.substr(close + 1));
  std::string state;
  long ppid = 0;
  if (!(in >> state >> ppid)) return std::nullopt;
  return static_cast<pid_t>(ppid);
}

std::vector<ProcessEntry> read_process_table(const std::filesystem::path& proc) {
  std::vector<ProcessEntry> table;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc, ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto ppid = parse_stat_ppid(text))
      table.push_back({static_cast<pid_t>(std::stol(name)), *ppid});
  }
  return table;
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
