#include "mapping/path_syntax.h"

#include <cctype>

namespace bpfpads {
namespace {

// Index just past the '}' that closes the '{' at `open`, or npos.
std::size_t find_closing_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;  // escaped character: never structure
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[' && depth > 0) {
      in_class = true;
      // "[]...]" and "[^]...]": a ']' first in a class is literal.
      if (i + 1 < text.size() && text[i + 1] == '^') ++i;
      if (i + 1 < text.size() && text[i + 1] == ']') ++i;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

std::string at(std::size_t offset) { return " at offset " + std::to_string(offset); }

Result<PathToken> braced_token(std::string_view body, std::size_t offset) {
  static constexpr std::pair<std::string_view, PathToken::Kind> kPrefixes[] = {
      {"re:", PathToken::Kind::Regex},
      {"lib:", PathToken::Kind::Library},
      {"exe:", PathToken::Kind::Executable},
      {"usdt:", PathToken::Kind::UsdtProvider},
  };
  for (const auto& [prefix, kind] : kPrefixes) {
    if (!body.starts_with(prefix)) continue;
    std::string_view value = body.substr(prefix.size());
    // PyPads' docs write "{re: (fit|...)$}": the space after the colon is not meant.
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.empty()) return make_error("empty {" + std::string(prefix) + "} segment" + at(offset));
    return PathToken{kind, std::string(value)};
  }
  return make_error("unknown segment '{" + std::string(body) +
                    "}'" + at(offset) + " (expected {re:REGEX}, {lib:NAME}, {exe:GLOB} or {usdt:PROVIDER})");
}

}  // namespace

Result<std::vector<PathToken>> split_path(std::string_view text) {
  std::vector<PathToken> tokens;
  if (text.empty()) return make_error("empty path");
  std::size_t i = 0;
  while (true) {
    if (i >= text.size() || text[i] == '.')
      return make_error("empty segment" + at(i));
    if (text[i] == '{') {
      const std::size_t end = find_closing_brace(text, i);
      if (end == std::string_view::npos) return make_error("unclosed '{'" + at(i));
      auto token = braced_token(text.substr(i + 1, end - i - 2), i);
      if (!token) return std::unexpected(token.error());
      tokens.push_back(std::move(*token));
      i = end;
    } else {
      std::size_t end = i;
      while (end < text.size() && text[end] != '.') {
        if (text[end] == '{' || text[end] == '}')
          return make_error("'" + std::string(1, text[end]) + "' inside a literal segment" + at(end) +
                            " (a {re:...} segment must be a whole segment)");
        ++end;
      }
      tokens.push_back({PathToken::Kind::Literal, std::string(text.substr(i, end - i))});
      i = end;
    }
    if (i == text.size()) break;
    if (text[i] != '.') return make_error("expected '.' after '}'" + at(i));
    ++i;
  }
  return tokens;
}

}  // namespace bpfpads
