#include "mapping/yaml_support.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace bpfpads {

SourceLocation ParseContext::at(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

SourceLocation ParseContext::at(const YAML::Node& node, const SourceLocation& fallback) const {
  // An empty value ("key:") is a null node whose mark points at the next token, on a
  // later line: report the key instead.
  if (!node.IsDefined()) return fallback;
  if (node.IsNull() || node.Mark().is_null()) return fallback.line > 0 ? fallback : at(node.Mark());
  return at(node.Mark());
}

bool ParseContext::spend(const SourceLocation& where, std::size_t units) {
  if (budget_exhausted) return false;
  visited += units;
  if (visited <= kMaxVisitedNodes) return true;
  budget_exhausted = true;
  sink.error(where, "file too large: more than " + std::to_string(kMaxVisitedNodes) +
                        " nodes after expanding aliases and fragments");
  return false;
}

std::string short_tag(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag == "?" || tag == "!" || tag.empty()) return "";
  static constexpr std::string_view kLong = "tag:yaml.org,2002:";
  if (tag.starts_with(kLong)) return tag.substr(kLong.size());
  if (tag.starts_with("!!")) return tag.substr(2);
  if (tag.starts_with("!")) return tag.substr(1);
  return tag;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

namespace {

// YAML 1.2 core schema scalars, as PyYAML's SafeLoader would read them.
nlohmann::json plain_scalar(const std::string& s) {
  if (s == "~" || s == "null" || s == "Null" || s == "NULL" || s.empty()) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::int64_t i = 0;
  auto [iend, iec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (iec == std::errc{} && iend == s.data() + s.size()) return i;
  double d = 0;
  auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (dec == std::errc{} && dend == s.data() + s.size() && std::isfinite(d)) return d;
  return s;
}

}  // namespace

std::optional<nlohmann::json> yaml_to_json(const YAML::Node& node, ParseContext& ctx, int depth) {
  if (!ctx.spend(ctx.at(node))) return std::nullopt;
  if (depth > kMaxNestingDepth) {
    ctx.sink.error(ctx.at(node), "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    return std::nullopt;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : nlohmann::json(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) {
        auto v = yaml_to_json(item, ctx, depth + 1);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) {
        std::string key;
        if (kv.first.IsScalar()) {
          key = kv.first.Scalar();
        } else {
          YAML::Emitter e;
          e << YAML::Flow << kv.first;
          key = e.c_str();
        }
        auto v = yaml_to_json(kv.second, ctx, depth + 1);
        if (!v) return std::nullopt;
        out[key] = std::move(*v);
      }
      return out;
    }
  }
  return nlohmann::json(nullptr);
}

std::optional<std::string> scalar_text(const YAML::Node& node, ParseContext& ctx,
                                       const SourceLocation& where, const std::string& what) {
  if (!node.IsScalar()) {
    ctx.sink.error(ctx.at(node, where), "'" + what + "' must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::vector<std::string>> string_or_list(const YAML::Node& node, ParseContext& ctx,
                                                       const SourceLocation& where,
                                                       const std::string& what) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!ctx.spend(ctx.at(item, where))) return std::nullopt;
      if (!item.IsScalar()) {
        ctx.sink.error(ctx.at(item, where), "'" + what + "' entries must be strings");
        return std::nullopt;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }
  ctx.sink.error(ctx.at(node, where), "'" + what + "' must be a string or a list of strings");
  return std::nullopt;
}

}  // namespace bpfpads
