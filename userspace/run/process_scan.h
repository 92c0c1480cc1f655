// Process facts from /proc, for attach and for the run's setup context.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bpfpads {

struct ProcessEntry {
  pid_t pid;
  pid_t ppid;
};

// Parses the ppid out of /proc/PID/stat text (the command may contain spaces and ')').
std::optional<pid_t> parse_stat_ppid(const std::string& stat_text);

// Every process below `root` (not including it), parents before children.
std::vector<pid_t> descendants_of(pid_t root, const std::vector<ProcessEntry>& table);
std::vector<ProcessEntry> read_process_table(const std::filesystem::path& proc = "/proc");

bool process_exists(pid_t pid);
std::vector<std::string> read_cmdline(pid_t pid);
std::optional<std::filesystem::path> read_cwd(pid_t pid);

}  // namespace bpfpads
