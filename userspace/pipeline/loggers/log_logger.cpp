// log: one line per call with its captured values, kept as an artifact (bounded).
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

constexpr size_t kMaxBytes = 4u << 20;

class LogLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "log"; }
  void on_call(const HookCall& call, RunSink&) override {
    std::string line = std::to_string(call.wall_ms) + " pid=" + std::to_string(call.event.tgid) +
                       " tid=" + std::to_string(call.event.tid) + " " + call.hook.function;
    for (const auto& [name, v] : call.values)
      line += " " + name + "=" + (v.unreadable ? "<unreadable>" : v.text + (v.cut ? "<cut>" : ""));
    line += "\n";
    if (text_.size() + line.size() > kMaxBytes) {
      ++dropped_;
      return;
    }
    text_ += line;
  }
  void finish(RunSink& sink) override {
    if (text_.empty()) return;
    if (dropped_) text_ += "[bpfpads: " + std::to_string(dropped_) + " more calls not kept]\n";
    sink.log_artifact("bpfpads/calls.log", text_);
  }

 private:
  std::string text_;
  uint64_t dropped_ = 0;
};

}  // namespace
BPFPADS_REGISTER_LOGGER(LogLogger);
}  // namespace bpfpads
