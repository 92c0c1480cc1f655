// pipeline: the call tree across processes and threads, as a JSON artifact, plus
// a trace-event file that Perfetto and chrome://tracing open.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "pipeline/logger.h"

namespace bpfpads {
namespace {

constexpr size_t kMaxCalls = 200000;  // beyond this, calls are counted, not kept

struct CallNode {
  uint32_t pid, tid;
  std::string function, hooks;
  int64_t start_us, duration_us;
  uint32_t depth;
};

class PipelineLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "pipeline"; }

  void on_call(const HookCall& call, RunSink&) override {
    if (calls_.size() >= kMaxCalls) {
      ++dropped_;
      return;
    }
    std::string hooks;
    for (const auto& h : call.hook.entry->hooks) hooks += (hooks.empty() ? "" : ",") + h;
    calls_.push_back({call.event.tgid, call.event.tid, call.hook.function, hooks, call.entry_wall_us,
                      call.duration_us, call.event.depth});
  }

  void finish(RunSink& sink) override {
    if (calls_.empty()) return;
    std::sort(calls_.begin(), calls_.end(), [](const CallNode& a, const CallNode& b) {
      return std::tie(a.pid, a.tid, a.start_us, b.duration_us) < std::tie(b.pid, b.tid, b.start_us, a.duration_us);
    });
    sink.log_artifact("bpfpads/pipeline.json", call_tree().dump(1));
    sink.log_artifact("bpfpads/trace.json", trace_events().dump());
  }

 private:
  // process -> thread -> nested calls; a call contains the calls of its thread that
  // start and end inside it.
  nlohmann::json call_tree() const {
    nlohmann::json processes = nlohmann::json::object();
    std::map<std::pair<uint32_t, uint32_t>, std::vector<nlohmann::json*>> stacks;
    for (const auto& c : calls_) {
      nlohmann::json node = {{"function", c.function}, {"hooks", c.hooks}, {"start_us", c.start_us},
                             {"duration_us", c.duration_us}, {"calls", nlohmann::json::array()}};
      auto& stack = stacks[{c.pid, c.tid}];
      while (!stack.empty()) {
        const nlohmann::json& top = *stack.back();
        int64_t end = top["start_us"].get<int64_t>() + top["duration_us"].get<int64_t>();
        if (c.start_us >= top["start_us"].get<int64_t>() && c.start_us + c.duration_us <= end) break;
        stack.pop_back();
      }
      nlohmann::json& thread = processes[std::to_string(c.pid)][std::to_string(c.tid)];
      if (thread.is_null()) thread = nlohmann::json::array();
      nlohmann::json& siblings = stack.empty() ? thread : (*stack.back())["calls"];
      siblings.push_back(std::move(node));
      stack.push_back(&siblings.back());
    }
    return {{"processes", processes}, {"calls_not_kept", dropped_}};
  }

  nlohmann::json trace_events() const {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& c : calls_)
      events.push_back({{"name", c.function}, {"cat", c.hooks}, {"ph", "X"}, {"ts", c.start_us},
                        {"dur", c.duration_us}, {"pid", c.pid}, {"tid", c.tid}});
    return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
  }

  std::vector<CallNode> calls_;
  uint64_t dropped_ = 0;
};

}  // namespace
BPFPADS_REGISTER_LOGGER(PipelineLogger);
}  // namespace bpfpads
