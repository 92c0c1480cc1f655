// Secrets never reach the store: command lines, output tails, captured strings, tags,
// params and text artifacts pass through one Redactor before they are written. On by
// default, with rules for what secrets look like in such text:
//  - options named like secrets, with their value: --password=x, --api-key x, -token x
//  - assignments named like secrets: DB_PASSWORD=x, "secret": "x"
//  - credentials in URLs: scheme://user:x@host
//  - the values of this process's environment variables named like secrets (at least
//    6 characters), wherever they appear
//  - the user's own patterns (--redact REGEX): each match.
// What is replaced becomes "***".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/python_regex.h"

namespace bpfpads {

class Redactor {
 public:
  // The default rules plus the secret-named variables of `environ`.
  static Redactor with_defaults();
  // Nothing is redacted (--no-redact).
  static Redactor disabled() { return Redactor(); }

  // A regular expression (Python syntax) whose matches are replaced; the error names it.
  Result<> add_pattern(const std::string& pattern);
  // A literal secret (a value to hide wherever it shows up).
  void add_secret(const std::string& value);

  std::string apply(std::string_view text) const;
  bool enabled() const { return !rules_.empty() || !secrets_.empty(); }

 private:
  struct Rule {
    PythonRegex regex;
    std::string replacement;  // PCRE2 extended syntax
  };
  std::vector<Rule> rules_;
  std::vector<std::string> secrets_;
};

// "postgresql://u:***@host/db": for error messages about URIs.
std::string redact_uri_credentials(std::string_view uri);

}  // namespace bpfpads
