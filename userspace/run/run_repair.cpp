#include "run/run_repair.h"

#include <unistd.h>

#include <sstream>

#include "common/text.h"
#include "run/run_types.h"

namespace bpfpads {
namespace {

std::string boot_id() {
  auto text = read_text_file("/proc/sys/kernel/random/boot_id");
  return text ? std::string(trim(*text)) : "";
}

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot; empty for a
// process that is gone or has exited and waits to be reaped (a zombie runs nothing).
std::string start_time(pid_t pid) {
  auto text = read_text_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return "";
  auto close_paren = text->rfind(')');
  if (close_paren == std::string::npos) return "";
  std::istringstream rest(text->substr(close_paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return "";
    if (i == 22) return field;
  }
  return "";
}

}  // namespace

std::string collector_identity(pid_t pid) {
  if (pid == 0) pid = getpid();
  return boot_id() + "/" + std::to_string(pid) + "/" + start_time(pid);
}

bool collector_alive(const std::string& identity) {
  auto first = identity.find('/');
  auto second = first == std::string::npos ? std::string::npos : identity.find('/', first + 1);
  if (second == std::string::npos) return true;  // not ours to judge: leave the run alone
  if (identity.substr(0, first) != boot_id()) return false;
  pid_t pid = static_cast<pid_t>(std::strtol(identity.substr(first + 1, second - first - 1).c_str(), nullptr, 10));
  std::string started = identity.substr(second + 1);
  return pid > 0 && !started.empty() && start_time(pid) == started;
}

std::vector<RepairedRun> repair_open_runs(Store& store) {
  std::vector<RepairedRun> out;
  auto open = store.open_runs_tagged(kCollectorTag);
  if (!open) {
    out.push_back({"", open.error().describe()});
    return out;
  }
  for (const auto& run : *open) {
    if (collector_alive(run.tag_value)) continue;
    std::vector<Tag> tags = {{"bpfpads.incomplete", "true"},
                             {"bpfpads.incomplete_reason",
                              "its collector (" + run.tag_value +
                                  ") ended without finishing the run, and so did its guard; ended by a later "
                                  "bpfpads: nothing after the collector's end was recorded"}};
    auto t = store.log_batch(run.run_id, {}, {}, tags);
    auto u = store.update_run(run.run_id, RunStatus::Killed, now_ms());
    out.push_back({run.run_id, t && u ? "" : (!t ? t.error() : u.error()).describe()});
  }
  return out;
}

}  // namespace bpfpads
