// The run configuration of `--config FILE` (spec §5): which hooks trigger which event
// types, and PyPads' `config` switches. Values not given keep PyPads' defaults.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "mapping/diagnostics.h"

namespace bpfpads {

struct PipelineConfig {
  // event type -> hooks that trigger it ("on"), e.g. "metric" -> {"pypads_metric"}.
  std::map<std::string, std::vector<std::string>> event_hooks;
  bool track_sub_processes = true;
  bool recursion_identity = false;
  int recursion_depth = -1;  // -1: no limit
  bool log_on_failure = true;
  bool include_default_mappings = true;

  // The spec §5 defaults (PyPads' DEFAULT_HOOK_MAPPING and config).
  static PipelineConfig defaults();

  // Event types a hook fires, in event-type order.
  std::vector<std::string> events_for_hook(std::string_view hook) const;
};

struct PipelineConfigParseResult {
  Result<PipelineConfig> config;
  std::vector<Diagnostic> diagnostics;
};

// Starts from defaults(). An event type listed under `hooks` replaces that event's
// hook list (`metric: {on: []}` turns it off); event types not listed keep theirs.
// Unknown keys are errors with their position.
PipelineConfigParseResult parse_pipeline_config_text(std::string_view text, std::string_view display_name);
PipelineConfigParseResult parse_pipeline_config_file(const std::string& path);

}  // namespace bpfpads
