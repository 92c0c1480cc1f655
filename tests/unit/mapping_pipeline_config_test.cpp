#include <gtest/gtest.h>

#include "mapping/pipeline_config.h"

namespace bpfpads {
namespace {

std::string errors(const PipelineConfigParseResult& r) {
  std::string text;
  for (const auto& d : r.diagnostics) text += d.format() + "\n";
  return text;
}

TEST(MappingPipelineConfig, DefaultsAreTheSpecs) {
  const PipelineConfig c = PipelineConfig::defaults();
  EXPECT_EQ(c.event_hooks.size(), 8u);
  EXPECT_EQ(c.event_hooks.at("pipeline"),
            (std::vector<std::string>{"pypads_fit", "pypads_predict", "pypads_transform", "pypads_metric"}));
  EXPECT_EQ(c.events_for_hook("pypads_fit"),
            (std::vector<std::string>{"hardware", "input", "output", "parameters", "pipeline"}));
  EXPECT_EQ(c.events_for_hook("pypads_metric"), (std::vector<std::string>{"metric", "pipeline"}));
  EXPECT_TRUE(c.track_sub_processes);
  EXPECT_FALSE(c.recursion_identity);
  EXPECT_EQ(c.recursion_depth, -1);
  EXPECT_TRUE(c.log_on_failure);
  EXPECT_TRUE(c.include_default_mappings);
}

TEST(MappingPipelineConfig, OverridesPerEventType) {
  auto r = parse_pipeline_config_text(
      "hooks:\n"
      "  metric: {on: [pypads_metric, pypads_eval]}\n"
      "  hardware: {on: []}\n"
      "config:\n"
      "  track_sub_processes: false\n"
      "  recursion_depth: 3\n",
      "c.yaml");
  ASSERT_TRUE(r.config.has_value()) << errors(r);
  EXPECT_EQ(r.config->event_hooks.at("metric"), (std::vector<std::string>{"pypads_metric", "pypads_eval"}));
  EXPECT_TRUE(r.config->event_hooks.at("hardware").empty());
  EXPECT_EQ(r.config->event_hooks.at("init"), std::vector<std::string>{"pypads_init"});  // kept
  EXPECT_FALSE(r.config->track_sub_processes);
  EXPECT_EQ(r.config->recursion_depth, 3);
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_TRUE(parse_pipeline_config_text("", "c.yaml").config.has_value());
}

TEST(MappingPipelineConfig, CustomEventTypeWarns) {
  auto r = parse_pipeline_config_text("hooks:\n  gradients: {on: pypads_grad}\n", "c.yaml");
  ASSERT_TRUE(r.config.has_value());
  EXPECT_EQ(r.config->event_hooks.at("gradients"), std::vector<std::string>{"pypads_grad"});
  EXPECT_EQ(errors(r),
            "c.yaml:2:3: warning: event type 'gradients' is not one of PyPads' (init, parameters, hardware, output, "
            "input, metric, pipeline, log); no logger may handle it\n");
}

TEST(MappingPipelineConfig, Errors) {
  auto check = [](const char* text, const char* expected) {
    auto r = parse_pipeline_config_text(text, "c.yaml");
    EXPECT_FALSE(r.config.has_value()) << text;
    EXPECT_EQ(errors(r), expected) << text;
  };
  check("hook: {}\n", "c.yaml:1:1: error: unknown top-level key 'hook' (expected hooks, config)\n");
  check("config:\n  track_subprocesses: true\n",
        "c.yaml:2:3: error: unknown key 'track_subprocesses' in 'config' (expected track_sub_processes, "
        "recursion_identity, recursion_depth, log_on_failure, include_default_mappings)\n");
  check("config:\n  log_on_failure: maybe\n", "c.yaml:2:19: error: 'log_on_failure' must be true or false\n");
  check("config:\n  recursion_depth: -2\n",
        "c.yaml:2:20: error: 'recursion_depth' must be an integer >= -1 (-1: no limit)\n");
  check("hooks:\n  metric: {one: [x]}\n",
        "c.yaml:2:12: error: unknown key 'one' in event type 'metric' (expected on)\n"
        "c.yaml:2:3: error: event type 'metric' needs 'on: [hooks...]'\n");
  check("hooks:\n  metric: [x]\n", "c.yaml:2:11: error: event type 'metric' must be {on: [hooks...]}\n");
  check("hooks:\n  metric: {on: ['a b']}\n", "c.yaml:2:16: error: invalid hook name 'a b'\n");
  check("hooks: [\n", "c.yaml:2:1: error: invalid YAML: end of sequence flow not found\n");
  check("- 1\n", "c.yaml:1:1: error: a config file must be a mapping with hooks and/or config\n");
}

TEST(MappingPipelineConfig, UnreadableFile) {
  auto r = parse_pipeline_config_file("/nonexistent/config.yaml");
  ASSERT_FALSE(r.config.has_value());
  EXPECT_EQ(r.config.error().describe(), "/nonexistent/config.yaml: cannot read config file: No such file or directory");
}

}  // namespace
}  // namespace bpfpads
