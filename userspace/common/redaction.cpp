#include "common/redaction.h"

#include <unistd.h>

#include <algorithm>

namespace bpfpads {
namespace {

// What a name says about its value: word parts that secrets go by.
constexpr const char* kSecretWord = "(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|"
                                    "private[_-]?key|key|credentials?|auth)";

const std::vector<std::pair<std::string, std::string>>& default_rules() {
  const std::string word = kSecretWord;
  static const std::vector<std::pair<std::string, std::string>> rules = {
      // scheme://user:secret@host
      {R"re(([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*):[^@/\s]+@)re", "$1:***@"},
      // --password=x, --api-key x, -token x: the option's name holds a secret word
      {R"re((?i)(^|\s)(--?[\w.\-]*)re" + word + R"re([\w.\-]*)(=|\s+)(?:"[^"]*"|'[^']*'|[^\s"']+))re",
       "$1$2$3***"},
      // DB_PASSWORD=x, secret_key: x (not an option: those are done above)
      {R"re((?i)(^|[^\w.\-])([\w.]*)re" + word + R"re([\w.\-]*)(\s*[=:]\s*)(?!\*\*\*)(?:"[^"]*"|'[^']*'|[^\s"',}]+))re",
       "$1$2$3***"},
      // "password": "x" in JSON
      {R"re((?i)("[^"]*)re" + word + R"re([^"]*"\s*:\s*)"[^"]*")re", "$1\"***\""},
  };
  return rules;
}

bool secret_name(const std::string& name) {
  static const auto re = PythonRegex::compile(std::string("(?i).*") + kSecretWord);
  return re && re->match_at_start(name);
}

}  // namespace

Redactor Redactor::with_defaults() {
  Redactor r;
  for (const auto& [pattern, replacement] : default_rules()) {
    auto re = PythonRegex::compile(pattern);
    if (re) r.rules_.push_back({std::move(*re), replacement});
  }
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    if (secret_name(entry.substr(0, eq))) r.add_secret(entry.substr(eq + 1));
  }
  return r;
}

Result<> Redactor::add_pattern(const std::string& pattern) {
  auto re = PythonRegex::compile(pattern);
  if (!re) return std::unexpected(re.error().with_context("--redact"));
  rules_.push_back({std::move(*re), "***"});
  return {};
}

void Redactor::add_secret(const std::string& value) {
  if (value.size() < 6) return;  // short values would blank out ordinary words
  if (std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end()) secrets_.push_back(value);
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  for (const auto& secret : secrets_)
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3))
      out.replace(at, secret.size(), "***");
  for (const auto& rule : rules_) out = rule.regex.replace_all(out, rule.replacement);
  return out;
}

std::string redact_uri_credentials(std::string_view uri) {
  static const auto re = PythonRegex::compile(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*):[^@/\s]+@)");
  return re ? re->replace_all(uri, "$1:***@") : std::string(uri);
}

}  // namespace bpfpads
