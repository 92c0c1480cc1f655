// init: marks when the library was initialised (PyPads' pypads_init).
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class InitLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "init"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (seen_) return;
    seen_ = true;
    sink.set_tag("bpfpads.init", call.hook.function + " at " + std::to_string(call.wall_ms));
  }

 private:
  bool seen_ = false;
};

}  // namespace
BPFPADS_REGISTER_LOGGER(InitLogger);
}  // namespace bpfpads
