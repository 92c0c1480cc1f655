#include "mapping/pipeline_config.h"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "mapping/yaml_support.h"

namespace bpfpads {

PipelineConfig PipelineConfig::defaults() {
  PipelineConfig c;
  c.event_hooks = {
      {"init", {"pypads_init"}},
      {"parameters", {"pypads_fit", "pypads_param"}},
      {"hardware", {"pypads_fit"}},
      {"output", {"pypads_fit", "pypads_predict"}},
      {"input", {"pypads_fit"}},
      {"metric", {"pypads_metric"}},
      {"pipeline", {"pypads_fit", "pypads_predict", "pypads_transform", "pypads_metric"}},
      {"log", {"pypads_log"}},
  };
  return c;
}

std::vector<std::string> PipelineConfig::events_for_hook(std::string_view hook) const {
  std::vector<std::string> events;
  for (const auto& [event, hooks] : event_hooks)
    for (const auto& h : hooks)
      if (h == hook) {
        events.push_back(event);
        break;
      }
  return events;
}

namespace {

bool read_bool(const YAML::Node& v, bool& out) {
  if (!v.IsScalar()) return false;
  const std::string& s = v.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") out = true;
  else if (s == "false" || s == "False" || s == "FALSE") out = false;
  else return false;
  return true;
}

bool read_int(const YAML::Node& v, int& out) {
  if (!v.IsScalar()) return false;
  const std::string& s = v.Scalar();
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && !s.empty();
}

void parse_hooks_section(const YAML::Node& node, const SourceLocation& at, ParseContext& ctx, PipelineConfig& c) {
  if (!node.IsMap()) {
    ctx.sink.error(ctx.at(node, at), "'hooks' must map event types to {on: [hooks...]}");
    return;
  }
  const PipelineConfig defaults = PipelineConfig::defaults();
  for (const auto& kv : node) {
    const SourceLocation event_at = ctx.at(kv.first);
    if (!ctx.spend(event_at)) return;
    const std::string event = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!is_identifier(event)) {
      ctx.sink.error(event_at, "invalid event type '" + event + "'");
      continue;
    }
    if (!kv.second.IsMap()) {
      ctx.sink.error(ctx.at(kv.second, event_at), "event type '" + event + "' must be {on: [hooks...]}");
      continue;
    }
    std::optional<std::vector<std::string>> hooks;
    for (const auto& field : kv.second) {
      const SourceLocation field_at = ctx.at(field.first);
      const std::string key = field.first.IsScalar() ? field.first.Scalar() : "";
      if (key != "on") {
        ctx.sink.error(field_at, "unknown key '" + key + "' in event type '" + event + "' (expected on)");
        continue;
      }
      hooks = string_or_list(field.second, ctx, field_at, "on");
      if (!hooks) continue;
      for (const auto& h : *hooks)
        if (!is_identifier(h)) ctx.sink.error(ctx.at(field.second, field_at), "invalid hook name '" + h + "'");
    }
    if (!hooks) {
      ctx.sink.error(event_at, "event type '" + event + "' needs 'on: [hooks...]'");
      continue;
    }
    if (!defaults.event_hooks.contains(event))
      ctx.sink.warning(event_at, "event type '" + event + "' is not one of PyPads' (init, parameters, hardware, "
                                 "output, input, metric, pipeline, log); no logger may handle it");
    c.event_hooks[event] = std::move(*hooks);
  }
}

void parse_config_section(const YAML::Node& node, const SourceLocation& at, ParseContext& ctx, PipelineConfig& c) {
  if (!node.IsMap()) {
    ctx.sink.error(ctx.at(node, at), "'config' must be a mapping");
    return;
  }
  for (const auto& kv : node) {
    const SourceLocation key_at = ctx.at(kv.first);
    const SourceLocation value_at = ctx.at(kv.second, key_at);
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    bool* flag = key == "track_sub_processes"        ? &c.track_sub_processes
                 : key == "recursion_identity"       ? &c.recursion_identity
                 : key == "log_on_failure"           ? &c.log_on_failure
                 : key == "include_default_mappings" ? &c.include_default_mappings
                                                     : nullptr;
    if (flag != nullptr) {
      if (!read_bool(kv.second, *flag)) ctx.sink.error(value_at, "'" + key + "' must be true or false");
    } else if (key == "recursion_depth") {
      if (!read_int(kv.second, c.recursion_depth) || c.recursion_depth < -1)
        ctx.sink.error(value_at, "'recursion_depth' must be an integer >= -1 (-1: no limit)");
    } else {
      ctx.sink.error(key_at, "unknown key '" + key + "' in 'config' (expected track_sub_processes, "
                             "recursion_identity, recursion_depth, log_on_failure, include_default_mappings)");
    }
  }
}

}  // namespace

PipelineConfigParseResult parse_pipeline_config_text(std::string_view text, std::string_view display_name) {
  DiagnosticSink sink;
  ParseContext ctx{std::string(display_name), sink};
  PipelineConfig config = PipelineConfig::defaults();
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsMap()) {
      for (const auto& kv : root) {
        const SourceLocation at = ctx.at(kv.first);
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        if (key == "hooks") parse_hooks_section(kv.second, at, ctx, config);
        else if (key == "config") parse_config_section(kv.second, at, ctx, config);
        else ctx.sink.error(at, "unknown top-level key '" + key + "' (expected hooks, config)");
      }
    } else if (root.IsDefined() && !root.IsNull()) {
      sink.error(ctx.at(root, {ctx.file, 1, 1}), "a config file must be a mapping with hooks and/or config");
    }
  } catch (const YAML::Exception& e) {
    sink.error(ctx.at(e.mark), "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    sink.error({ctx.file, 0, 0}, std::string("cannot parse: ") + e.what());
  }
  PipelineConfigParseResult result{std::unexpected(Error{}), {}};
  if (sink.has_errors()) result.config = std::unexpected(sink.to_error());
  else result.config = std::move(config);
  result.diagnostics = sink.take();
  return result;
}

PipelineConfigParseResult parse_pipeline_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Error error{"cannot read config file", errno, path};
    return {std::unexpected(error), {Diagnostic{Severity::Error, {path, 0, 0}, error.describe()}}};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_pipeline_config_text(buffer.str(), path);
}

}  // namespace bpfpads
