// Evaluates a mapping entry's `extract` rules for one call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mapping/mapping_model.h"
#include "pipeline/hook_call.h"
#include "run/run_types.h"

namespace bpfpads {

class RunSink;

struct ExtractedMetric {
  std::string name;
  double value;
  int64_t step;
};

// Each rule that cannot be rendered (an unreadable capture, a value that is not a
// number) is skipped with a warning on the sink; the rest go on.
std::vector<Param> extract_params(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
std::vector<Tag> extract_tags(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
std::vector<ExtractedMetric> extract_metrics(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
std::vector<DatasetInput> extract_inputs(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
std::vector<std::string> extract_artifact_paths(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
std::optional<int64_t> extract_step(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
// The rendered `scope` value, if the spec has one and it renders.
std::optional<std::string> extract_scope(const ExtractSpec& spec, const HookCall& call, RunSink& sink);
// Sets the spec's run variables (`set:`) on the sink.
void extract_variables(const ExtractSpec& spec, const HookCall& call, RunSink& sink);

}  // namespace bpfpads
