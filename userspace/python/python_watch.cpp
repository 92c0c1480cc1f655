#include "python/python_watch.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "common/clock.h"
#include "common/log.h"
#include "run/process_scan.h"
#include "python/process_pause.h"

namespace bpfpads {
namespace {

bool contains(const std::vector<uint64_t>& v, uint64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

bp_python_unit return_unit(uint64_t code, uint32_t hook_id, const CodeUnits& units, const CodeUnits::Return& r) {
  bp_python_unit u{};
  u.code = code;
  u.hook_id = hook_id;
  u.kind = BP_PY_UNIT_RETURN;
  u.stack_slot = r.constant ? static_cast<uint16_t>(BP_PY_NO_STACK_SLOT) : units.stack_slot;
  u.const_object = r.constant ? r.const_object : 0;
  return u;
}

bp_python_unit entry_unit(uint64_t code, uint32_t hook_id) {
  bp_python_unit u{};
  u.code = code;
  u.hook_id = hook_id;
  u.kind = BP_PY_UNIT_ENTRY;
  return u;
}

PythonWatch::PythonWatch(PythonPrograms& programs, const PythonProcess& py, TrapShield* shield)
    : programs_(programs), py_(py), shield_(shield) {}

PythonWatch::~PythonWatch() { remove_all(); }

std::vector<std::string> PythonWatch::add(const std::vector<UnitRequest>& requests, bool already_stopped) {
  std::vector<std::string> outcome(requests.size());
  auto tgid = static_cast<uint32_t>(py_.pid);
  std::vector<size_t> fresh;  // requests whose unit gets a watchpoint now
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    if (contains(addresses_, r.address)) continue;
    if (addresses_.size() + fresh.size() >= kMaxWatchedUnits) {
      outcome[i] = "not watched: " + std::to_string(kMaxWatchedUnits) +
                   " bytecode units are watched in this process already (4 debug registers per thread)";
      continue;
    }
    fresh.push_back(i);
  }
  if (fresh.empty()) return outcome;
  auto refuse = [&](const std::string& why) {
    for (size_t i : fresh) outcome[i] = why;
    return outcome;
  };
  if (shield_ && !shielded_) {
    if (auto r = shield_->protect(py_.pid); !r) return refuse("not watched: " + r.error().describe());
    shielded_ = true;
  }
  // The code objects of every watched unit, for BPF to tell a nested call by.
  std::vector<uint64_t> codes = code_;
  for (size_t i : fresh)
    if (!contains(codes, requests[i].unit.code)) codes.push_back(requests[i].unit.code);
  bp_python_proc layout = bpf_python_layout(py_);
  for (size_t k = 0; k < codes.size() && k < BP_PY_MAX_CODE; ++k) layout.watched_code[k] = codes[k];
  if (auto r = programs_.set_process(tgid, layout); !r) return refuse(r.error().describe());
  for (size_t i : fresh)
    if (auto w = programs_.watch_unit(tgid, requests[i].address, requests[i].unit); !w) outcome[i] = w.error().describe();
  uint64_t paused_at = monotonic_ns();
  ProcessPause pause(py_.pid, already_stopped);
  if (!pause.stopped()) return refuse("not watched: the process could not be paused to place the watchpoint");
  struct AddHeld {
    uint64_t& total;
    uint64_t since;
    ~AddHeld() { total += monotonic_ns() - since; }
  } held{held_ns_, paused_at};
  for (size_t i : fresh) {
    if (!outcome[i].empty()) continue;
    const auto& r = requests[i];
    size_t placed = 0;
    for (pid_t tid : threads_of(py_.pid)) {
      auto w = programs_.attach_watchpoint(tid, r.address);
      if (!w) {
        outcome[i] = w.error().describe();  // the threads placed so far keep theirs
        continue;
      }
      links_.push_back(std::move(w->link));
      event_fds_.push_back(std::move(w->event));
      ++placed;
    }
    if (placed > 0) {
      addresses_.push_back(r.address);
      if (!contains(code_, r.unit.code)) code_.push_back(r.unit.code);
    } else {
      programs_.unwatch_unit(tgid, r.address);
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
  auto tgid = static_cast<uint32_t>(py_.pid);
  if (!links_.empty() || !event_fds_.empty()) {
    // A process that has exited has nothing left to trap; else pause it around the removal.
    std::optional<ProcessPause> pause;
    if (!exited_ && kill(py_.pid, 0) == 0) pause.emplace(py_.pid);
    if (pause && !pause->stopped())
      log::warning("removing Python watchpoints from process " + std::to_string(py_.pid) +
                   " without a pause: it did not stop within a second");
    for (const auto& fd : event_fds_) {  // hits of the watchpoint in every thread that had it
      uint64_t count = 0;
      if (read(fd.get(), &count, sizeof(count)) == sizeof(count)) hits_ += count;
    }
    links_.clear();
    event_fds_.clear();
  }
  for (uint64_t a : addresses_) programs_.unwatch_unit(tgid, a);
  programs_.forget_process(tgid);
  addresses_.clear();
  code_.clear();
  // The watchpoints are gone: nothing can trap any more, the shield lets go.
  if (shielded_) shield_->release(py_.pid);
  shielded_ = false;
}

}  // namespace bpfpads
