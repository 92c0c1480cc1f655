#include "mapping/section_parsers.h"

#include <functional>
#include <map>
#include <set>

namespace bpfpads {
namespace {

struct Field {
  YAML::Node value;
  SourceLocation location;  // of the key
};
using Fields = std::map<std::string, Field>;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

class ExtractParser {
 public:
  ExtractParser(ParseContext& ctx, const CaptureSpec* capture) : ctx_(ctx), capture_(capture) {}

  std::optional<ExtractSpec> parse(const YAML::Node& node, const SourceLocation& key_location);

 private:
  // The members of one rule map; keys outside `allowed` are errors.
  std::optional<Fields> fields(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                               const std::string& section, const SourceLocation& where);
  std::optional<ValueTemplate> templ(const Field& field, const std::string& what);
  std::optional<ValueTemplate> optional_templ(const Fields& f, const std::string& key, const std::string& section);
  std::optional<ValueTemplate> required_templ(const Fields& f, const std::string& key, const std::string& section,
                                              const SourceLocation& rule_location);
  // A rule is one map or a list of maps.
  void each_rule(const YAML::Node& node, const SourceLocation& where, const std::string& section,
                 const std::function<void(const YAML::Node&, const SourceLocation&)>& fn);

  void parse_metric(const YAML::Node& map, const SourceLocation& at, ExtractSpec& spec);

  std::vector<std::string> captured_names() const {
    std::vector<std::string> names;
    if (capture_ == nullptr) return names;
    for (const auto& a : capture_->args) names.push_back(a.name);
    if (capture_->returns) names.push_back("return");
    return names;
  }

  // `from` + `pattern` of a params or inputs rule: the pattern, or nullopt after an error.
  std::optional<PythonRegex> pattern_of(const Fields& f, const std::string& section, const SourceLocation& at);

  ParseContext& ctx_;
  const CaptureSpec* capture_;
  std::set<std::string> extra_names_;  // a pattern's group names, while its rule is parsed
  bool ok_ = true;
};

std::optional<PythonRegex> ExtractParser::pattern_of(const Fields& f, const std::string& section,
                                                     const SourceLocation& at) {
  if (!f.contains("pattern") || !f.contains("from")) {
    ctx_.sink.error(at, "'" + section + "' with '" + (f.contains("from") ? "from" : "pattern") + "' needs '" +
                            (f.contains("from") ? "pattern" : "from") + "'");
    ok_ = false;
    return std::nullopt;
  }
  const Field& p = f.at("pattern");
  const SourceLocation p_at = ctx_.at(p.value, p.location);
  if (!p.value.IsScalar()) {
    ctx_.sink.error(p_at, "'pattern' must be a regular expression string");
    ok_ = false;
    return std::nullopt;
  }
  auto regex = PythonRegex::compile(p.value.Scalar());
  if (!regex) {
    ctx_.sink.error(p_at, regex.error().message);
    ok_ = false;
    return std::nullopt;
  }
  return std::move(*regex);
}

std::optional<Fields> ExtractParser::fields(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                                            const std::string& section, const SourceLocation& where) {
  if (!map.IsMap()) {
    ctx_.sink.error(ctx_.at(map, where), "'" + section + "' entries must be mappings");
    ok_ = false;
    return std::nullopt;
  }
  Fields out;
  std::string expected;
  for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      ctx_.sink.error(ctx_.at(kv.first), "unknown key '" + key + "' in '" + section + "' (expected " + expected + ")");
      ok_ = false;
      continue;
    }
    out[key] = Field{kv.second, ctx_.at(kv.first)};
  }
  return out;
}

std::optional<ValueTemplate> ExtractParser::templ(const Field& field, const std::string& what) {
  const SourceLocation at = ctx_.at(field.value, field.location);
  if (!field.value.IsScalar()) {
    ctx_.sink.error(at, "'" + what + "' must be a template string such as \"{name}\"");
    ok_ = false;
    return std::nullopt;
  }
  auto t = ValueTemplate::compile(field.value.Scalar());
  if (!t) {
    ctx_.sink.error(at, t.error().message);
    ok_ = false;
    return std::nullopt;
  }
  for (const std::string& name : t->referenced_names()) {
    const bool known = name == "return" ? capture_ != nullptr && capture_->returns.has_value()
                                        : capture_ != nullptr && capture_->find(name) != nullptr;
    if (known || name == "call" || name == "library_version" || name.starts_with("run_") || extra_names_.contains(name)) continue;
    std::string hint = capture_ == nullptr ? " (this path has no 'capture')"
                                           : " (captured: " + join(captured_names()) + ")";
    if (name == "return" && capture_ != nullptr) hint = " (add 'returns: TYPE' to 'capture')";
    ctx_.sink.error(at, "'{" + name + "}' in '" + what + "' names no captured value" + hint);
    ok_ = false;
    return std::nullopt;
  }
  return std::move(*t);
}

std::optional<ValueTemplate> ExtractParser::optional_templ(const Fields& f, const std::string& key,
                                                           const std::string& section) {
  auto it = f.find(key);
  if (it == f.end()) return std::nullopt;
  return templ(it->second, section + "." + key);
}

std::optional<ValueTemplate> ExtractParser::required_templ(const Fields& f, const std::string& key,
                                                           const std::string& section,
                                                           const SourceLocation& rule_location) {
  if (!f.contains(key)) {
    ctx_.sink.error(rule_location, "'" + section + "' needs '" + key + "'");
    ok_ = false;
    return std::nullopt;
  }
  return optional_templ(f, key, section);
}

void ExtractParser::each_rule(const YAML::Node& node, const SourceLocation& where, const std::string& section,
                              const std::function<void(const YAML::Node&, const SourceLocation&)>& fn) {
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!ctx_.spend(ctx_.at(item, where))) {
        ok_ = false;
        return;
      }
      fn(item, ctx_.at(item, where));
    }
  } else if (node.IsMap()) {
    fn(node, ctx_.at(node, where));  // a rule's problems point at its own '{' or first key
  } else {
    ctx_.sink.error(ctx_.at(node, where), "'" + section + "' must be a mapping or a list of mappings");
    ok_ = false;
  }
}

void ExtractParser::parse_metric(const YAML::Node& map, const SourceLocation& at, ExtractSpec& spec) {
  const std::string section = "extract.metrics";
  auto f = fields(map, {"name", "value", "step", "from", "pattern"}, section, at);
  if (!f) return;
  MetricRule rule;
  rule.location = at;
  rule.name = optional_templ(*f, "name", section);
  rule.step = optional_templ(*f, "step", section);
  if (f->contains("from") || f->contains("pattern")) {
    if (f->contains("value")) {
      ctx_.sink.error(f->at("value").location, "a metric has either 'value' or 'from' + 'pattern', not both");
      ok_ = false;
      return;
    }
    rule.from = required_templ(*f, "from", section, at);
    if (!f->contains("pattern")) {
      ctx_.sink.error(at, "'extract.metrics' with 'from' needs 'pattern'");
      ok_ = false;
      return;
    }
    const Field& p = f->at("pattern");
    const SourceLocation p_at = ctx_.at(p.value, p.location);
    if (!p.value.IsScalar()) {
      ctx_.sink.error(p_at, "'pattern' must be a regular expression string");
      ok_ = false;
      return;
    }
    auto regex = PythonRegex::compile(p.value.Scalar());
    if (!regex) {
      ctx_.sink.error(p_at, regex.error().message);
      ok_ = false;
      return;
    }
    if (!regex->has_group("value")) {
      ctx_.sink.error(p_at, "metrics pattern needs a named group 'value', e.g. (?P<value>[0-9.eE+-]+)");
      ok_ = false;
    }
    if (!rule.name && !regex->has_group("name")) {
      ctx_.sink.error(p_at, "metrics pattern needs a named group 'name' (or give 'name:')");
      ok_ = false;
    }
    rule.pattern = std::move(*regex);
  } else {
    rule.value = required_templ(*f, "value", section, at);
    if (!f->contains("name")) {
      ctx_.sink.error(at, "'extract.metrics' needs 'name'");
      ok_ = false;
    }
  }
  spec.metrics.push_back(std::move(rule));
}

std::optional<ExtractSpec> ExtractParser::parse(const YAML::Node& node, const SourceLocation& key_location) {
  if (!node.IsMap()) {
    ctx_.sink.error(ctx_.at(node, key_location),
                    "'extract' must be a mapping of params, metrics, tags, inputs, artifacts, step, scope, set, using");
    return std::nullopt;
  }
  ExtractSpec spec;
  spec.location = key_location;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const SourceLocation at = ctx_.at(kv.first);
    const YAML::Node& value = kv.second;
    if (key == "params" || key == "tags") {
      const std::string section = "extract." + key;
      each_rule(value, at, section, [&](const YAML::Node& m, const SourceLocation& where) {
        std::optional<Fields> f = key == "params" ? fields(m, {"key", "value", "from", "pattern"}, section, where)
                                                  : fields(m, {"key", "value"}, section, where);
        if (!f) return;
        if (f->contains("from") || f->contains("pattern")) {
          if (f->contains("key") || f->contains("value")) {
            ctx_.sink.error(where, "a param has either 'key' + 'value' or 'from' + 'pattern', not both");
            ok_ = false;
            return;
          }
          auto regex = pattern_of(*f, section, where);
          auto from = required_templ(*f, "from", section, where);
          if (!regex || !from) return;
          if (!regex->has_group("key") || !regex->has_group("value")) {
            ctx_.sink.error(ctx_.at(f->at("pattern").value, f->at("pattern").location),
                            "params pattern needs named groups 'key' and 'value', e.g. "
                            "(?P<key>[^=\\s]+)=(?P<value>\\S*)");
            ok_ = false;
            return;
          }
          ParamRule rule;
          rule.from = std::move(*from);
          rule.pattern = std::move(*regex);
          rule.location = where;
          spec.params.push_back(std::move(rule));
          return;
        }
        auto k = required_templ(*f, "key", section, where);
        auto v = required_templ(*f, "value", section, where);
        if (!k || !v) return;
        if (key == "params") spec.params.push_back({std::move(*k), std::move(*v), std::nullopt, std::nullopt, where});
        else spec.tags.push_back({std::move(*k), std::move(*v), where});
      });
    } else if (key == "metrics") {
      each_rule(value, at, "extract.metrics",
                [&](const YAML::Node& m, const SourceLocation& where) { parse_metric(m, where, spec); });
    } else if (key == "inputs") {
      each_rule(value, at, "extract.inputs", [&](const YAML::Node& m, const SourceLocation& where) {
        auto f = fields(m, {"name", "rows", "columns", "source", "from", "pattern"}, "extract.inputs", where);
        if (!f) return;
        if (f->empty()) {
          ctx_.sink.error(where, "'extract.inputs' needs at least one of name, rows, columns, source");
          ok_ = false;
          return;
        }
        InputRule rule;
        rule.location = where;
        if (f->contains("from") || f->contains("pattern")) {
          rule.pattern = pattern_of(*f, "extract.inputs", where);
          if (!rule.pattern) return;
          rule.from = required_templ(*f, "from", "extract.inputs", where);
          // The groups may be named in the field templates too: {rows}.
          for (const auto& g : rule.pattern->group_names()) extra_names_.insert(g);
        }
        rule.name = optional_templ(*f, "name", "extract.inputs");
        rule.rows = optional_templ(*f, "rows", "extract.inputs");
        rule.columns = optional_templ(*f, "columns", "extract.inputs");
        rule.source = optional_templ(*f, "source", "extract.inputs");
        extra_names_.clear();
        spec.inputs.push_back(std::move(rule));
      });
    } else if (key == "artifacts") {
      each_rule(value, at, "extract.artifacts", [&](const YAML::Node& m, const SourceLocation& where) {
        auto f = fields(m, {"path"}, "extract.artifacts", where);
        if (!f) return;
        if (auto p = required_templ(*f, "path", "extract.artifacts", where)) spec.artifacts.push_back({std::move(*p), where});
      });
    } else if (key == "scope") {
      if (value.IsMap()) {
        auto f = fields(value, {"key", "name", "end"}, "extract.scope", at);
        if (!f) continue;
        spec.scope = required_templ(*f, "key", "extract.scope", at);
        if (f->contains("end")) {
          const YAML::Node& e = f->at("end").value;
          if (!e.IsScalar() || (e.Scalar() != "true" && e.Scalar() != "false")) {
            ctx_.sink.error(ctx_.at(e, f->at("end").location), "'extract.scope.end' must be true or false");
            ok_ = false;
          } else {
            spec.scope_ends = e.Scalar() == "true";
          }
        }
        if (f->contains("name")) {
          const YAML::Node& n = f->at("name").value;
          if (!n.IsScalar() || !is_identifier(n.Scalar())) {
            ctx_.sink.error(ctx_.at(n, f->at("name").location), "'extract.scope.name' must be an identifier");
            ok_ = false;
          } else {
            spec.scope_name = n.Scalar();
          }
        }
      } else {
        spec.scope = templ(Field{value, at}, "extract.scope");
      }
    } else if (key == "set") {
      if (!value.IsMap()) {
        ctx_.sink.error(ctx_.at(value, at), "'extract.set' must map run_NAME to a template");
        ok_ = false;
        continue;
      }
      for (const auto& v : value) {
        const std::string name = v.first.IsScalar() ? v.first.Scalar() : "";
        if (!name.starts_with("run_") || !is_identifier(name)) {
          ctx_.sink.error(ctx_.at(v.first), "run variable '" + name + "' must be an identifier starting with 'run_'");
          ok_ = false;
          continue;
        }
        if (auto t = templ(Field{v.second, ctx_.at(v.first)}, "extract.set." + name))
          spec.variables.emplace_back(name, std::move(*t));
      }
    } else if (key == "step") {
      spec.step = templ(Field{value, at}, "extract.step");
    } else if (key == "using") {
      if (!value.IsScalar() || !is_identifier(value.Scalar())) {
        ctx_.sink.error(ctx_.at(value, at), "'using' must name a C++ extractor (an identifier)");
        ok_ = false;
      } else {
        spec.extractor = value.Scalar();
      }
    } else {
      ctx_.sink.error(at, "unknown key '" + key +
                              "' in 'extract' (expected params, metrics, tags, inputs, artifacts, step, scope, set, using)");
      ok_ = false;
    }
  }
  if (!ok_) return std::nullopt;
  return spec;
}

}  // namespace

std::optional<ExtractSpec> parse_extract(const YAML::Node& node, ParseContext& ctx,
                                         const SourceLocation& key_location, const CaptureSpec* capture) {
  return ExtractParser(ctx, capture).parse(node, key_location);
}

}  // namespace bpfpads
