#include "pipeline/extract_eval.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "pipeline/run_sink.h"
#include "store/md5.h"

namespace bpfpads {

std::map<std::string, std::string> HookCall::template_values() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, v] : values) out[name] = v.text;
  out["call"] = std::to_string(scope_call);
  out["library_version"] = hook.library_version;
  if (run_variables)
    for (const auto& [name, v] : *run_variables) out[name] = v;
  return out;
}

namespace {

std::string where(const HookCall& call) { return call.hook.function; }

std::optional<std::string> render(const ValueTemplate& t, const HookCall& call, RunSink& sink) {
  for (const auto& name : t.referenced_names()) {
    auto it = call.values.find(name);
    if (it != call.values.end() && it->second.unreadable) {
      sink.warn(where(call) + ": capture '" + name + "' was unreadable; '" + t.text() + "' skipped");
      return std::nullopt;
    }
  }
  auto r = t.render(call.template_values());
  if (!r) {
    sink.warn(where(call) + ": " + r.error().describe());
    return std::nullopt;
  }
  return *r;
}

std::optional<double> parse_number(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  text = text.substr(start);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);  // accepts nan, inf, 1e-5 like Python's float()
  if (end == text.c_str() || *end != '\0') return std::nullopt;
  return v;
}

// The capture a template reads that was cut at its bound, if any.
std::optional<std::string> cut_capture(const ValueTemplate& t, const HookCall& call) {
  for (const auto& n : t.referenced_names())
    if (auto it = call.values.find(n); it != call.values.end() && it->second.cut) return n;
  return std::nullopt;
}

// Matches of `pattern` in the rendered `from`. When a capture it reads was cut, the
// last match is dropped if its `field` group ends the text: that value may be partial.
std::vector<RegexGroups> matches(const ValueTemplate& from, const PythonRegex& pattern, const std::string& field,
                                 const HookCall& call, RunSink& sink, const std::string& what) {
  auto text = render(from, call, sink);
  if (!text) return {};
  auto found = pattern.find_all(*text);
  if (auto cut = cut_capture(from, call)) {
    sink.warn(where(call) + ": '" + *cut + "' was cut at its capture bound; " + what +
              " from the part that was kept");
    if (!found.empty())
      if (auto f = found.back().find(field); f != found.back().end() && text->ends_with(f->second))
        found.pop_back();
  }
  return found;
}

std::optional<int64_t> parse_step(const std::string& text) {
  auto v = parse_number(text);
  if (!v || std::isnan(*v)) return std::nullopt;
  return static_cast<int64_t>(*v);
}

// A run variable set from an array keeps its elements: kArrayMark, then the elements
// separated by kArraySep (control bytes that no name or number holds).
constexpr char kArrayMark = '\x1e', kArraySep = '\x1f';

std::string encode_array(const std::vector<std::string>& elements) {
  std::string out(1, kArrayMark);
  for (size_t i = 0; i < elements.size(); ++i) out += (i ? std::string(1, kArraySep) : "") + elements[i];
  return out;
}

std::optional<std::vector<std::string>> decode_array(const std::string& text) {
  if (text.empty() || text[0] != kArrayMark) return std::nullopt;
  std::vector<std::string> out;
  if (text.size() == 1) return out;
  size_t start = 1;
  for (size_t sep; (sep = text.find(kArraySep, start)) != std::string::npos; start = sep + 1)
    out.push_back(text.substr(start, sep - start));
  out.push_back(text.substr(start));
  return out;
}

// Calls fn(call) when no value the templates read is an array (an out array capture,
// or a run variable set from one); else fn once per element index, every array read
// as its element there (the shortest array decides how many). True in the second case.
template <typename Fn>
bool per_element(std::initializer_list<const ValueTemplate*> templates, const HookCall& call, Fn&& fn) {
  std::map<std::string, std::vector<std::string>> captures, variables;
  for (const ValueTemplate* t : templates) {
    if (!t) continue;
    for (const auto& name : t->referenced_names()) {
      if (auto it = call.values.find(name); it != call.values.end() && it->second.is_array)
        captures[name] = it->second.elements;
      else if (call.run_variables)
        if (auto v = call.run_variables->find(name); v != call.run_variables->end())
          if (auto elements = decode_array(v->second)) variables[name] = std::move(*elements);
    }
  }
  if (captures.empty() && variables.empty()) {
    fn(call);
    return false;
  }
  size_t n = SIZE_MAX;
  for (const auto* arrays : {&captures, &variables})
    for (const auto& [name, elements] : *arrays) n = std::min(n, elements.size());
  std::map<std::string, std::string> vars = call.run_variables ? *call.run_variables : std::map<std::string, std::string>{};
  for (size_t k = 0; k < n; ++k) {
    HookCall element = call;
    for (const auto& [name, elements] : captures) element.values[name] = CapturedValue{elements[k]};
    for (const auto& [name, elements] : variables) vars[name] = elements[k];
    element.run_variables = &vars;
    fn(element);
  }
  return true;
}

const ValueTemplate* ptr(const std::optional<ValueTemplate>& t) { return t ? &*t : nullptr; }

}  // namespace

std::vector<Param> extract_params(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  std::vector<Param> out;
  for (const auto& rule : spec.params) per_element({&rule.key, &rule.value, ptr(rule.from)}, call, [&](const HookCall& call) {
    if (rule.from && rule.pattern) {
      for (const auto& groups : matches(*rule.from, *rule.pattern, "value", call, sink, "params")) {
        auto k = groups.find("key");
        auto v = groups.find("value");
        if (k == groups.end() || k->second.empty()) continue;
        out.push_back({call.scope_prefix + k->second, v == groups.end() ? "" : v->second});
      }
      return;
    }
    auto key = render(rule.key, call, sink);
    auto value = render(rule.value, call, sink);
    if (key && value && !key->empty()) out.push_back({call.scope_prefix + *key, *value});
  });
  return out;
}

std::vector<Tag> extract_tags(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  std::vector<Tag> out;
  for (const auto& rule : spec.tags) per_element({&rule.key, &rule.value}, call, [&](const HookCall& call) {
    auto key = render(rule.key, call, sink);
    auto value = render(rule.value, call, sink);
    if (key && value && !key->empty()) out.push_back({*key, *value});
  });
  return out;
}

std::optional<int64_t> extract_step(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  if (!spec.step) return std::nullopt;
  auto text = render(*spec.step, call, sink);
  if (!text) return std::nullopt;
  return parse_step(*text);
}

std::vector<ExtractedMetric> extract_metrics(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  std::vector<ExtractedMetric> out;
  int64_t default_step = sink.current_step.value_or(static_cast<int64_t>(call.call_number) - 1);
  for (const auto& rule : spec.metrics)
    per_element({ptr(rule.name), ptr(rule.value), ptr(rule.step), ptr(rule.from)}, call, [&](const HookCall& call) {
    std::optional<int64_t> rule_step;
    if (rule.step) {
      auto s = render(*rule.step, call, sink);
      if (!s) return;
      rule_step = parse_step(*s);
    }
    std::optional<std::string> fixed_name;
    if (rule.name) {
      fixed_name = render(*rule.name, call, sink);
      if (!fixed_name) return;
    }
    if (rule.from && rule.pattern) {
      for (const auto& groups : matches(*rule.from, *rule.pattern, "value", call, sink, "metrics")) {
        auto v = groups.find("value");
        if (v == groups.end()) continue;
        auto number = parse_number(v->second);
        if (!number) {
          sink.warn(where(call) + ": '" + v->second + "' is not a number");
          continue;
        }
        std::string name = fixed_name.value_or("");
        if (auto n = groups.find("name"); n != groups.end() && !fixed_name) name = n->second;
        int64_t step = rule_step.value_or(default_step);
        if (auto s = groups.find("step"); s != groups.end())
          if (auto ps = parse_step(s->second)) step = *ps;
        if (!name.empty()) out.push_back({call.scope_prefix + name, *number, step});
      }
      return;
    }
    if (!rule.value || !fixed_name) return;
    auto text = render(*rule.value, call, sink);
    if (!text) return;
    auto number = parse_number(*text);
    if (!number) {
      sink.warn(where(call) + ": metric " + *fixed_name + ": '" + *text + "' is not a number");
      return;
    }
    out.push_back({call.scope_prefix + *fixed_name, *number, rule_step.value_or(default_step)});
  });
  return out;
}

std::vector<DatasetInput> extract_inputs(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  std::vector<DatasetInput> out;
  for (const auto& rule : spec.inputs) {
    std::vector<RegexGroups> found{RegexGroups{}};
    if (rule.from && rule.pattern) found = matches(*rule.from, *rule.pattern, "columns", call, sink, "inputs");
    for (const auto& groups : found) {
    HookCall with_groups = call;  // the call, with the pattern's groups as extra values
    for (const auto& [g, v] : groups) with_groups.values[g] = CapturedValue{v};
    auto get = [&](const std::optional<ValueTemplate>& t, const char* group) -> std::optional<std::string> {
      if (t) return render(*t, with_groups, sink);
      if (auto it = groups.find(group); it != groups.end()) return it->second;
      return std::nullopt;
    };
    auto name = get(rule.name, "name"), rows = get(rule.rows, "rows"), columns = get(rule.columns, "columns"),
         source = get(rule.source, "source");
    DatasetInput d;
    d.name = name.value_or(call.hook.function);
    nlohmann::json profile = nlohmann::json::object();
    auto r = rows ? parse_step(*rows) : std::nullopt;
    auto c = columns ? parse_step(*columns) : std::nullopt;
    if (r) profile["num_rows"] = *r;
    if (c) profile["num_columns"] = *c;
    if (r && c) profile["num_elements"] = *r * *c;
    d.profile = profile.dump();
    d.source_type = source ? "local" : "code";
    d.source = source ? nlohmann::json{{"uri", *source}}.dump()
                      : nlohmann::json{{"function", call.hook.function}}.dump();
    d.schema = "";
    d.digest = md5_hex(d.name + "\n" + d.profile + "\n" + d.source).substr(0, 8);
    d.context = std::find(call.hook.events.begin(), call.hook.events.end(), "input") != call.hook.events.end() &&
                        std::find(call.hook.entry->hooks.begin(), call.hook.entry->hooks.end(), "pypads_fit") !=
                            call.hook.entry->hooks.end()
                    ? "training"
                    : "evaluation";
    out.push_back(std::move(d));
    }
  }
  return out;
}

std::optional<std::string> extract_scope(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  if (!spec.scope) return std::nullopt;
  return render(*spec.scope, call, sink);
}

void extract_variables(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  for (const auto& [name, t] : spec.variables) {
    std::vector<std::string> elements;
    bool array = per_element({&t}, call, [&](const HookCall& element) {
      if (auto v = render(t, element, sink)) elements.push_back(*v);
    });
    if (array) {
      sink.variables[name] = encode_array(elements);
    } else if (!elements.empty()) {
      sink.variables[name] = elements.front();
    }
  }
}

std::vector<std::string> extract_artifact_paths(const ExtractSpec& spec, const HookCall& call, RunSink& sink) {
  std::vector<std::string> out;
  for (const auto& rule : spec.artifacts)
    if (auto p = render(rule.path, call, sink)) out.push_back(*p);
  return out;
}

}  // namespace bpfpads
