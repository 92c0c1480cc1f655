// Hooks fire events, events run loggers (PyPads' pipeline): decodes each hooked
// call, applies the recursion rules, advances the run's step, and hands the call to
// the loggers of every event type its hooks fire.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "hooks/hook_catalog.h"
#include "kernel/records.h"
#include "pipeline/logger.h"
#include "pipeline/named_extractor.h"
#include "pipeline/run_sink.h"
#include "pipeline/python_call.h"

namespace bpfpads {

class Dispatcher {
 public:
  // `mono_to_wall_us`: add to a CLOCK_MONOTONIC µs value for wall-clock µs.
  Dispatcher(HookCatalog& catalog, RunSink& sink, int64_t mono_to_wall_us);

  void on_call(const HookCallEvent& event);
  // A Python call, paired and decoded (python/python_tracker.h).
  void on_python_call(const PythonCallDone& done);
  void finish();

  uint64_t calls_seen(uint32_t hook_id) const;
  uint64_t calls_skipped_by_recursion_rules() const { return skipped_recursion_; }
  uint64_t cut_values() const { return cut_values_; }
  uint64_t unreadable_values() const { return unreadable_values_; }

 private:
  HookCatalog& catalog_;
  RunSink& sink_;
  int64_t mono_to_wall_us_;
  std::vector<std::unique_ptr<Logger>> loggers_;
  std::map<std::string, std::unique_ptr<NamedExtractor>, std::less<>> extractors_;
  std::map<uint32_t, uint64_t> calls_;
  std::map<std::pair<uint32_t, std::string>, uint64_t> scoped_calls_;  // {call} per hook and scope prefix
  uint64_t skipped_recursion_ = 0;
  void dispatch(HookCall& call);  // extract rules, loggers, named extractors

  uint64_t cut_values_ = 0;
  uint64_t unreadable_values_ = 0;
};

}  // namespace bpfpads
