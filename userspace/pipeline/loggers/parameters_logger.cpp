// parameters: the entry's `extract.params` and `extract.tags`.
#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class ParametersLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "parameters"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (!call.hook.entry->extract) return;
    for (const auto& p : extract_params(*call.hook.entry->extract, call, sink)) sink.log_param(p.key, p.value);
    for (const auto& t : extract_tags(*call.hook.entry->extract, call, sink)) sink.set_tag(t.key, t.value);
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(ParametersLogger);
}  // namespace bpfpads
