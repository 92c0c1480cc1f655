// metric: the entry's `extract.metrics`, each with its step (PyPads lost it).
#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class MetricLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "metric"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (!call.hook.entry->extract) return;
    for (const auto& m : extract_metrics(*call.hook.entry->extract, call, sink))
      sink.log_metric(m.name, m.value, m.step, call.wall_ms);
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(MetricLogger);
}  // namespace bpfpads
