// input: datasets the call consumed (`extract.inputs`), as MLflow dataset inputs; for
// a Python call at the top level, each numpy array argument (X, y) with its shape and
// dtype.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "store/md5.h"
#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

DatasetInput python_array_input(const HookCall& call, const PythonArray& a) {
  DatasetInput d;
  d.name = a.name;
  nlohmann::json profile = {{"shape", a.shape}, {"dtype", a.dtype}};
  if (!a.shape.empty()) {
    int64_t elements = 1;
    for (int64_t n : a.shape) elements *= n;
    profile["num_rows"] = a.shape[0];
    profile["num_elements"] = elements;
  }
  d.profile = profile.dump();
  d.source_type = "code";
  d.source = nlohmann::json{{"function", call.python->function}}.dump();
  d.schema = "";
  d.digest = md5_hex(d.name + "\n" + d.profile + "\n" + d.source).substr(0, 8);
  bool fit = std::find(call.hook.entry->hooks.begin(), call.hook.entry->hooks.end(), "pypads_fit") !=
             call.hook.entry->hooks.end();
  d.context = fit ? "training" : "evaluation";
  return d;
}

class InputLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "input"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (call.python && !call.python->nested)
      for (const auto& a : call.python->arrays) sink.log_input(python_array_input(call, a));
    if (!call.hook.entry->extract) return;
    for (const auto& d : extract_inputs(*call.hook.entry->extract, call, sink)) sink.log_input(d);
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(InputLogger);
}  // namespace bpfpads
