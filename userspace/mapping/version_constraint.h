// Library version constraints of a mapping file's metadata ("library.version"), a subset
// of PEP 440 specifiers as PyPads' files use them: ">=1.6", ">= 0.19.1", "<2.0,>=1.6",
// "==1.7.*", "~=1.6", "!=1.8", or a bare "0.19.1" (read as "==0.19.1").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

// A parsed version: numeric release components plus an optional phase tag. Release
// components compare numerically with missing ones read as 0 ("1.7" == "1.7.0"); a
// pre-release (dev, a/alpha, b/beta, rc/c/pre/preview) sorts below its release and a
// post-release above it. A local part ("+cu118") is ignored.
struct Version {
  // Phase order: dev < alpha < beta < rc < final < post.
  enum class Phase : std::uint8_t { Dev, Alpha, Beta, ReleaseCandidate, Final, Post };

  std::vector<std::uint64_t> release;
  Phase phase = Phase::Final;
  std::uint64_t phase_number = 0;

  // Accepts "1.6", "v1.6.2", "1.7.0rc1", "1.7.0-rc.1", "2.0.0.dev3", "1.0.post2",
  // "2.1.0+cu118". Anything else is an error.
  static Result<Version> parse(std::string_view text);

  // <0, 0, >0 like strcmp.
  int compare(const Version& other) const;
};

class VersionConstraint {
 public:
  enum class Op : std::uint8_t {
    Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Compatible
  };

  struct Clause {
    Op op = Op::Equal;
    Version version;
    bool wildcard = false;  // "==1.7.*" / "!=1.7.*": prefix match on release components
  };

  // Clauses separated by commas, all of which must hold. An empty or "*" text matches
  // every version.
  static Result<VersionConstraint> parse(std::string_view text);

  // False when `version` does not parse.
  bool satisfied_by(std::string_view version) const;
  bool satisfied_by(const Version& version) const;

  const std::string& text() const { return text_; }
  const std::vector<Clause>& clauses() const { return clauses_; }

 private:
  std::string text_;
  std::vector<Clause> clauses_;
};

}  // namespace bpfpads
