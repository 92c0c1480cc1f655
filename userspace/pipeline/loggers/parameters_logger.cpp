// parameters: the entry's `extract.params` and `extract.tags`; for a Python method
// called at the top level (not inside another watched call, as GridSearchCV's fits of
// clones are), the instance's hyperparameters as get_params() names them. The first
// instance logs plain names, as mlflow.sklearn.autolog() does for the run's estimator;
// each other instance's names get "<Class>_<n>/" (the n-th other one).
#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class ParametersLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "parameters"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (call.python && !call.python->nested && !call.python->params.empty()) {
      std::string prefix = sink.scope_prefix(call.python->instance_class, std::to_string(call.python->instance));
      for (const auto& [name, value] : call.python->params) sink.log_param(prefix + name, value);
    }
    if (!call.hook.entry->extract) return;
    for (const auto& p : extract_params(*call.hook.entry->extract, call, sink)) sink.log_param(p.key, p.value);
    for (const auto& t : extract_tags(*call.hook.entry->extract, call, sink)) sink.set_tag(t.key, t.value);
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(ParametersLogger);
}  // namespace bpfpads
