#include "mapping/value_template.h"

#include <cctype>

namespace bpfpads {
namespace {

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

Result<ValueTemplate> ValueTemplate::compile(std::string_view text) {
  ValueTemplate t;
  t.text_ = std::string(text);
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos)
        return make_error("unclosed '{' at offset " + std::to_string(i) + " in template '" + t.text_ + "'");
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (!is_identifier(name))
        return make_error("'{" + std::string(name) + "}' in template '" + t.text_ +
                          "' is not a placeholder (write {{ and }} for literal braces)");
      if (!literal.empty()) t.parts_.emplace_back(std::move(literal));
      literal.clear();
      t.parts_.emplace_back(Ref{std::string(name)});
      i = close;
    } else if (c == '}') {
      return make_error("unmatched '}' at offset " + std::to_string(i) + " in template '" + t.text_ +
                        "' (write }} for a literal brace)");
    } else {
      literal += c;
    }
  }
  if (!literal.empty()) t.parts_.emplace_back(std::move(literal));
  return t;
}

std::vector<std::string> ValueTemplate::referenced_names() const {
  std::vector<std::string> names;
  for (const Part& p : parts_)
    if (const Ref* r = std::get_if<Ref>(&p)) names.push_back(r->name);
  return names;
}

Result<std::string> ValueTemplate::render(const std::map<std::string, std::string>& values) const {
  std::string out;
  for (const Part& p : parts_) {
    if (const std::string* lit = std::get_if<std::string>(&p)) {
      out += *lit;
      continue;
    }
    const std::string& name = std::get<Ref>(p).name;
    auto it = values.find(name);
    if (it == values.end()) return make_error("no value for {" + name + "} in template '" + text_ + "'");
    out += it->second;
  }
  return out;
}

}  // namespace bpfpads
