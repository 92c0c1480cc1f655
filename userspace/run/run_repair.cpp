#include "run/run_repair.h"

#include <unistd.h>


#include "common/text.h"
#include "run/process_scan.h"
#include "run/run_types.h"

namespace bpfpads {
namespace {

std::string boot_id() {
  auto text = read_text_file("/proc/sys/kernel/random/boot_id");
  return text ? std::string(trim(*text)) : "";
}

// The start time of a live process; empty for one that is gone or has exited and
// waits to be reaped (a zombie runs nothing).
std::string start_time(pid_t pid) {
  auto st = task_stat_of(pid);
  if (!st || st->state == 'Z' || st->state == 'X') return "";
  return st->start_time.value_or("");
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

Result<> end_abandoned_run(Store& store, const std::string& run_id, const std::string& reason) {
  std::vector<Tag> tags = {{"bpfpads.incomplete", "true"}, {"bpfpads.incomplete_reason", reason}};
  if (auto r = store.log_batch(run_id, {}, {}, tags); !r) return r;
  return store.update_run(run_id, RunStatus::Killed, now_ms());
}

std::vector<RepairedRun> repair_open_runs(Store& store, bool by_guard) {
  std::vector<RepairedRun> out;
  auto open = store.open_runs_tagged(kCollectorTag);
  if (!open) {
    out.push_back({"", open.error().describe()});
    return out;
  }
  for (const auto& run : *open) {
    if (collector_alive(run.tag_value)) continue;
    std::string reason = "its collector (" + run.tag_value + ") ended without finishing the run" +
                         (by_guard ? "; its guard ended it" : ", and so did its guard; ended by a later bpfpads") +
                         ": nothing after the collector's end was recorded";
    auto r = end_abandoned_run(store, run.run_id, reason);
    out.push_back({run.run_id, r ? "" : r.error().describe()});
  }
  return out;
}

}  // namespace bpfpads
