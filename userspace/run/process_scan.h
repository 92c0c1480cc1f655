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

// /proc/PID/stat (or /proc/PID/task/TID/stat): the fields bpfpads looks at. Every
// reader of that file goes through this one parser.
struct TaskStat {
  char state = 0;                        // 'R', 'S', 'T' (stopped), 'Z' (zombie), ...
  pid_t ppid = 0;
  std::optional<unsigned long> flags;    // the kernel's task flags (PF_KTHREAD), field 9
  std::optional<std::string> start_time; // clock ticks since boot, field 22
};
// Parses after the last ')' (the command may contain spaces and parentheses); state and
// ppid must be there, later fields are set when present.
std::optional<TaskStat> parse_task_stat(const std::string& stat_text);
// Reads and parses a stat file; nullopt when the task is gone.
std::optional<TaskStat> read_task_stat(const std::filesystem::path& stat_file);
// read_task_stat("/proc/PID/stat").
std::optional<TaskStat> task_stat_of(pid_t pid);

// Parses the ppid out of /proc/PID/stat text.
std::optional<pid_t> parse_stat_ppid(const std::string& stat_text);

// The thread ids of a process (/proc/PID/task); empty when it is gone.
std::vector<pid_t> threads_of(pid_t pid);

// Every process below `root` (not including it), parents before children.
std::vector<pid_t> descendants_of(pid_t root, const std::vector<ProcessEntry>& table);
std::vector<ProcessEntry> read_process_table(const std::filesystem::path& proc = "/proc");

bool process_exists(pid_t pid);
std::vector<std::string> read_cmdline(pid_t pid);
std::optional<std::filesystem::path> read_cwd(pid_t pid);

}  // namespace bpfpads
