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
  int64_t start_us, duration_us;  // what the artifacts show
  // Nesting is decided on the kernel's nanoseconds: in rounded microseconds a short
  // last callee can seem to end after its caller.
  uint64_t entry_ns, end_ns;
  // A Python call that did not return through a watched return: "raised" (an
  // exception, or a return the debug registers could not cover) or "running".
  std::string end;
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
    uint64_t end_ns = call.event.returned ? call.event.return_ns : call.event.entry_ns;
    std::string end;
    if (call.python && call.python->end == PythonCallInfo::End::Unseen) end = "raised";
    if (call.python && call.python->end == PythonCallInfo::End::Running) end = "running";
    calls_.push_back({call.event.tgid, call.event.tid, call.function_name(), hooks, call.entry_wall_us,
                      call.duration_us, call.event.entry_ns, end_ns, end});
  }

  void finish(RunSink& sink) override {
    if (calls_.empty()) return;
    std::sort(calls_.begin(), calls_.end(), [](const CallNode& a, const CallNode& b) {
      return std::tie(a.pid, a.tid, a.entry_ns, b.end_ns) < std::tie(b.pid, b.tid, b.entry_ns, a.end_ns);
    });
    sink.log_artifact("bpfpads/pipeline.json", call_tree().dump(1));
    sink.log_artifact("bpfpads/trace.json", trace_events().dump());
  }

 private:
  // process -> thread -> nested calls; a call contains the calls of its thread that
  // start and end inside it.
  nlohmann::json call_tree() const {
    nlohmann::json processes = nlohmann::json::object();
    struct Open {
      const CallNode* call;
      nlohmann::json* node;
    };
    std::map<std::pair<uint32_t, uint32_t>, std::vector<Open>> stacks;
    for (const auto& c : calls_) {
      nlohmann::json node = {{"function", c.function}, {"hooks", c.hooks}, {"start_us", c.start_us},
                             {"duration_us", c.duration_us}, {"calls", nlohmann::json::array()}};
      if (!c.end.empty()) node["end"] = c.end;
      auto& stack = stacks[{c.pid, c.tid}];
      while (!stack.empty()) {
        const CallNode& top = *stack.back().call;
        if (c.entry_ns >= top.entry_ns && c.end_ns <= top.end_ns) break;
        stack.pop_back();
      }
      nlohmann::json& thread = processes[std::to_string(c.pid)][std::to_string(c.tid)];
      if (thread.is_null()) thread = nlohmann::json::array();
      nlohmann::json& siblings = stack.empty() ? thread : (*stack.back().node)["calls"];
      siblings.push_back(std::move(node));
      stack.push_back({&c, &siblings.back()});
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
