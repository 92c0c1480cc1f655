// metric: the entry's `extract.metrics`, each with its step (PyPads lost it); for a
// Python function called at the top level that returns a number, that number under
// the function's name (accuracy_score), its n-th call at step n. Calls inside another
// watched call (a GridSearchCV's scoring) are the pipeline's, not the run's metrics.
#include <map>

#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class MetricLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "metric"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (call.python && !call.python->nested && call.python->return_number) {
      std::string name = call.python->function.substr(call.python->function.rfind('.') + 1);
      sink.log_metric(name, *call.python->return_number, steps_[name]++, call.wall_ms);
    }
    if (!call.hook.entry->extract) return;
    for (const auto& m : extract_metrics(*call.hook.entry->extract, call, sink))
      sink.log_metric(m.name, m.value, m.step, call.wall_ms);
  }

 private:
  std::map<std::string, int64_t> steps_;  // Python metrics: calls so far, by name
};

}  // namespace
BPFPADS_REGISTER_LOGGER(MetricLogger);
}  // namespace bpfpads
