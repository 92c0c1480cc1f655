// The data model of a parsed mapping file (shared/spec/mapping-files.md). The parser
// flattens the YAML path tree into MappingEntry values: one per hooked function, with
// its full path, the target it lives in, its (accumulated) hooks and data, and how to
// capture and interpret its arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mapping/capture_type.h"
#include "mapping/diagnostics.h"
#include "common/python_regex.h"
#include "mapping/value_template.h"
#include "mapping/version_constraint.h"

namespace bpfpads {

// One component of a path: a module, class, function, C++ namespace or symbol name.
struct Segment {
  enum class Kind { Literal, Regex };
  Kind kind = Kind::Literal;
  std::string text;                  // the literal name, or the regex source
  std::optional<PythonRegex> regex;  // set for Kind::Regex
  SourceLocation location;           // the key that wrote it

  bool matches(std::string_view name) const {
    return kind == Kind::Literal ? name == text : regex->match_at_start(name);
  }
};

// What a path's first segments select (spec §3).
struct Target {
  enum class Kind {
    Python,            // a Python module path: every segment is matched
    NativeLibrary,     // {lib:NAME}: a shared object whose soname/file name starts with NAME
    NativeExecutable,  // {exe:GLOB}: an executable whose path matches GLOB
  };
  Kind kind = Kind::Python;
  std::string object;                         // NAME or GLOB; empty for Python
  std::optional<std::string> usdt_provider;   // {usdt:PROVIDER}: segments name a probe

  bool is_native() const { return kind != Kind::Python; }
  bool is_usdt() const { return usdt_provider.has_value(); }
};

struct CapturedArg {
  std::string name;
  CaptureType type;
  SourceLocation location;
};

// `capture: {args: [name: type, ...], returns: type}`. Args are in call order: the
// n-th entry is the n-th parameter of the function.
struct CaptureSpec {
  std::vector<CapturedArg> args;
  std::optional<CaptureType> returns;
  SourceLocation location;

  const CapturedArg* find(std::string_view name) const {
    for (const auto& a : args)
      if (a.name == name) return &a;
    return nullptr;
  }
};

// `extract` rules: templates over captured names; "return" names the return value,
// "call" the hook's call number in its scope (from 0), "library_version" the version
// found for the hooked file (as in `library.version`, "unknown" when none), and
// "run_NAME" a run variable that an earlier call set with `extract: {set: {run_NAME: TEMPLATE}}`.

// Either direct (`key`, `value`) or unpacked from a string (`from` + `pattern` with
// named groups `key` and `value`, e.g. LightGBM's "k1=v1 k2=v2"): one param per match,
// applied like Python's re.finditer.
struct ParamRule {
  ValueTemplate key, value;  // unused when `from` is given
  std::optional<ValueTemplate> from;
  std::optional<PythonRegex> pattern;
  SourceLocation location;
};

struct TagRule {
  ValueTemplate key, value;
  SourceLocation location;
};

// Either direct (`name`, `value`, optional `step`) or unpacked from a string (`from`
// + `pattern` with named groups `value`, `name` unless `name` is given, optionally
// `step`). A pattern is applied like Python's re.finditer: one metric per match.
struct MetricRule {
  std::optional<ValueTemplate> name, value, step, from;
  std::optional<PythonRegex> pattern;
  SourceLocation location;
};

// A dataset description: all fields optional, at least one given. With `from` +
// `pattern`, each match's named groups (name, rows, columns, source) fill the fields
// the templates leave out (one input per match), e.g. the "shape": [rows, cols] of
// XGBoost's array-interface JSON.
struct InputRule {
  std::optional<ValueTemplate> name, rows, columns, source, from;
  std::optional<PythonRegex> pattern;
  SourceLocation location;
};

struct ArtifactRule {
  ValueTemplate path;  // a file to copy into the run
  SourceLocation location;
};

struct ExtractSpec {
  std::vector<ParamRule> params;
  std::vector<MetricRule> metrics;
  std::vector<TagRule> tags;
  std::vector<InputRule> inputs;
  std::vector<ArtifactRule> artifacts;
  std::optional<ValueTemplate> step;     // sets the step later metrics of the run use
  std::optional<std::string> extractor;  // `using: NAME`: a named C++ extractor
  // `scope: "{handle}"` (or `{key: "{handle}", name: "booster"}`): keeps the data of
  // several objects apart. The first value seen logs plain keys; the n-th other value
  // (n = 1, 2, ...) prefixes its params and metrics with "<name>_<n>/".
  // `end: true`: this call ends its scope value (XGBoosterFree): an object created
  // later at the same address starts a scope of its own instead of mixing its data
  // into the freed one's.
  std::optional<ValueTemplate> scope;
  std::string scope_name = "scope";
  bool scope_ends = false;
  // `set: {run_NAME: TEMPLATE}`: run variables, visible as {run_NAME} in later calls.
  std::vector<std::pair<std::string, ValueTemplate>> variables;
  SourceLocation location;
};

// One hooked path after flattening the tree.
struct MappingEntry {
  std::vector<Segment> path;       // every segment as written, target selectors excluded
  Target target;
  std::vector<std::string> hooks;  // own ∪ inherited, in first-seen order
  std::vector<std::string> import_hooks;  // own only: fired when the target is loaded
  nlohmann::json data = nlohmann::json::object();  // own merged over inherited
  std::optional<CaptureSpec> capture;
  std::optional<ExtractSpec> extract;
  SourceLocation location;         // the key of the innermost node

  // The path as written, e.g. "sklearn.base.BaseEstimator.{re:fit$}".
  std::string path_text() const;
};

struct LibraryInfo {
  std::string name;
  VersionConstraint version;
};

struct MappingMetadata {
  std::string author;
  std::string version;  // version of the mapping file itself
  LibraryInfo library;
};

struct MappingFile {
  std::string display_name;  // the path or name the file was loaded as
  MappingMetadata metadata;
  std::vector<MappingEntry> entries;
};

}  // namespace bpfpads
