// Matches mapping-file paths against a SymbolIndex and returns probe targets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/python_regex.h"
#include "symbols/symbol_index.h"

namespace bpfpads {

// One segment of a mapping path after the {lib:}/{exe:} target segment.
// The mapping parser converts its own segments to this.
struct PathSegment {
  bool is_regex = false;
  std::string text;
};

// A compiled path; regex segments match with Python re.match semantics.
class SymbolPathMatcher {
 public:
  static Result<SymbolPathMatcher> compile(std::span<const PathSegment> path);
  // Same number of components as segments, each equal (literal) or matched (regex).
  bool matches(const ElfSymbol& symbol) const;

 private:
  struct Segment {
    std::string literal;
    std::optional<PythonRegex> regex;
  };
  std::vector<Segment> segments_;
};

struct ProbeTarget {
  std::string file_path;
  std::string symbol;     // raw name of the matched symbol
  std::string demangled;  // pretty name (== symbol for C)
  uint64_t address = 0;
  uint64_t file_offset = 0;
  uint64_t probe_offset = 0;  // where to attach: past endbr64 when present
  uint64_t size = 0;
  bool ifunc = false;                // probing the resolver, not the implementation
  std::vector<std::string> aliases;  // other names at this address
};

struct MatchOptions {
  bool include_secondary = false;  // clones, .cold parts, thunks
  size_t max_near_matches = 5;
};

struct MatchResult {
  std::vector<ProbeTarget> targets;       // one per address, in address order
  std::vector<std::string> near_matches;  // filled only when targets is empty
};

// Compiles the path and matches it; errors are invalid regexes only.
Result<MatchResult> match_symbols(const SymbolIndex& index, std::span<const PathSegment> path,
                                  const MatchOptions& options = {});
std::vector<ProbeTarget> match_symbols(const SymbolIndex& index, const SymbolPathMatcher& matcher,
                                       const MatchOptions& options = {});

// "Did you mean": qualified names ("ns::Cls::f", components joined by "::")
// sharing the path's last segment first, then the closest by edit distance
// to the joined path (case-insensitive), at most `max`.
std::vector<std::string> near_matches(const SymbolIndex& index, std::span<const PathSegment> path,
                                      size_t max = 5);

size_t edit_distance(std::string_view a, std::string_view b, size_t limit);

}  // namespace bpfpads
