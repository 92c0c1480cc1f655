#include "store/yaml_out.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace bpfpads {
namespace {

// Words YAML 1.1 resolves to bool or null, in any of the case forms PyYAML accepts.
bool is_reserved_word(const std::string& s) {
  static constexpr std::array kWords = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

// Plain only for strings that start with a letter and hold identifier-like characters:
// every other case (digits, leading symbols, ": ", " #", trailing spaces) is quoted.
bool can_be_plain(const std::string& s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0])) || is_reserved_word(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == ':')) return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
  }
  return true;
}

// Single quotes cannot carry line breaks or control characters (they would be folded).
bool needs_double_quotes(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) return true;  // NEL
    if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xa8 || static_cast<unsigned char>(s[i + 2]) == 0xa9))
      return true;  // LS, PS
  }
  return false;
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
          out += "\\N";
          ++i;
        } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\L" : "\\P";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string yaml_string(const std::string& value) {
  if (can_be_plain(value)) return value;
  if (needs_double_quotes(value)) return double_quoted(value);
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

YamlMap& YamlMap::str(const std::string& key, const std::string& value) {
  rendered_[key] = " " + yaml_string(value);
  return *this;
}
YamlMap& YamlMap::integer(const std::string& key, int64_t value) {
  rendered_[key] = " " + std::to_string(value);
  return *this;
}
YamlMap& YamlMap::null(const std::string& key) {
  rendered_[key] = " null";
  return *this;
}
YamlMap& YamlMap::empty_list(const std::string& key) {
  rendered_[key] = " []";
  return *this;
}
YamlMap& YamlMap::map(const std::string& key, const std::map<std::string, std::string>& values) {
  if (values.empty()) {
    rendered_[key] = " {}";
    return *this;
  }
  std::string block;
  for (const auto& [k, v] : values) block += "\n  " + yaml_string(k) + ": " + yaml_string(v);
  rendered_[key] = block;
  return *this;
}

std::string YamlMap::dump() const {
  std::string out;
  for (const auto& [k, v] : rendered_) out += yaml_string(k) + ":" + v + "\n";
  return out;
}

}  // namespace bpfpads
