// input: datasets the call consumed (`extract.inputs`), as MLflow dataset inputs.
#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class InputLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "input"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (!call.hook.entry->extract) return;
    for (const auto& d : extract_inputs(*call.hook.entry->extract, call, sink)) sink.log_input(d);
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(InputLogger);
}  // namespace bpfpads
