// Helpers shared by the mapping and config parsers: positions from yaml-cpp marks,
// YAML-to-JSON conversion, tag names, and a work budget that bounds what a hostile file
// (deep nesting, alias bombs) can make the parser do.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "mapping/diagnostics.h"

namespace bpfpads {

// yaml-cpp throws and recurses; these limits keep a parse finite. Aliases make a tree
// of a DAG, so a few hundred bytes can stand for billions of nodes: every node the
// parser visits is counted.
inline constexpr int kMaxNestingDepth = 64;
inline constexpr std::size_t kMaxVisitedNodes = 200000;

struct ParseContext {
  std::string file;
  DiagnosticSink& sink;
  std::size_t visited = 0;
  bool budget_exhausted = false;

  // Location of a node; an absent mark (empty value) falls back to `fallback`.
  SourceLocation at(const YAML::Node& node, const SourceLocation& fallback = {}) const;
  SourceLocation at(const YAML::Mark& mark) const;

  // Counts `units` of work (visited nodes, copied data); false (and one error) once
  // the budget is spent.
  bool spend(const SourceLocation& where, std::size_t units = 1);
};

// The tag of a key or value with yaml-cpp's long form cut down: "!!python/rSeg" is
// reported as "tag:yaml.org,2002:python/rSeg" and returned as "python/rSeg". Plain
// and quoted scalars ("?" and "!") return "".
std::string short_tag(const YAML::Node& node);

// Any YAML value as JSON: plain scalars that read as bool/int/float become those,
// quoted scalars stay strings; non-string keys are written as their YAML text.
// Nesting beyond kMaxNestingDepth or an exhausted budget is an error (reported).
std::optional<nlohmann::json> yaml_to_json(const YAML::Node& node, ParseContext& ctx, int depth = 0);

// A string or a list of strings (hooks: "a" / hooks: [a, b]).
std::optional<std::vector<std::string>> string_or_list(const YAML::Node& node, ParseContext& ctx,
                                                       const SourceLocation& where,
                                                       const std::string& what);

// A scalar's text, or an error "'what' must be a string".
std::optional<std::string> scalar_text(const YAML::Node& node, ParseContext& ctx,
                                       const SourceLocation& where, const std::string& what);

bool is_identifier(std::string_view s);

}  // namespace bpfpads
