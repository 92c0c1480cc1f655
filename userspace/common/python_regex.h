// Regular expressions of mapping files (path segments, extract patterns), compiled
// with PCRE2 to behave like Python's `re`: PCRE2 accepts Python's (?P<name>...) groups,
// Python's `\Z` is translated, and `match_at_start` is `re.match` (anchored at the
// start, not at the end; write `$` to anchor the end). Compiled once with JIT; copies
// share the code and matching is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

using RegexGroups = std::map<std::string, std::string>;  // named group -> matched text

class PythonRegex {
 public:
  // The error message names PCRE2's reason and the offset in the pattern:
  // "invalid regular expression '(a': missing closing parenthesis at offset 2".
  static Result<PythonRegex> compile(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  const std::vector<std::string>& group_names() const { return group_names_; }
  bool has_group(std::string_view name) const;

  // Python re.match(pattern, subject) is not None. Allocates nothing.
  bool match_at_start(std::string_view subject) const;

  // Python re.finditer: every non-overlapping match anywhere in `subject`, with its
  // named groups (unset groups are left out). Used to unpack strings that hold several
  // values, such as XGBoost's "[3]\ttrain-rmse:0.5\teval-rmse:0.6".
  std::vector<RegexGroups> find_all(std::string_view subject) const;

  // Python re.sub(pattern, replacement, subject) with `replacement` in PCRE2's
  // extended syntax ($1 or ${name} for groups). The subject when the pattern or the
  // replacement fails.
  std::string replace_all(std::string_view subject, std::string_view replacement) const;

 private:
  struct Code;
  std::string pattern_;
  std::vector<std::string> group_names_;
  std::shared_ptr<const Code> code_;  // immutable once compiled, so copies share it
};

}  // namespace bpfpads
