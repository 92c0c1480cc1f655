#include "hooks/signature_check.h"

#include "common/text.h"

namespace bpfpads {
namespace {

bool is_float_type(std::string t) {
  t = std::string(trim(t));
  if (t.find('*') != std::string::npos || t.find('&') != std::string::npos) return false;
  for (const char* q : {"const ", " const"}) {
    auto p = t.find(q);
    if (p != std::string::npos) t.erase(p, 6);
  }
  t = std::string(trim(t));
  return t == "double" || t == "float";  // long double goes on the stack, also unreadable here
}

}  // namespace

std::optional<std::vector<bool>> float_parameters(const std::string& demangled) {
  // The parameter list is the last parenthesised group at nesting depth 0.
  int depth = 0;
  size_t close = std::string::npos, open = std::string::npos;
  for (size_t i = demangled.size(); i-- > 0;) {
    char c = demangled[i];
    if (c == ')') {
      if (depth++ == 0 && close == std::string::npos) close = i;
    } else if (c == '(') {
      if (--depth == 0 && close != std::string::npos) {
        open = i;
        break;
      }
    }
  }
  if (open == std::string::npos) return std::nullopt;
  std::string params = demangled.substr(open + 1, close - open - 1);
  std::vector<bool> out;
  if (trim(params).empty() || trim(params) == "void") return out;
  int nest = 0;
  std::string current;
  for (char c : params) {
    if (c == '<' || c == '(' || c == '[') ++nest;
    if (c == '>' || c == ')' || c == ']') --nest;
    if (c == ',' && nest == 0) {
      out.push_back(is_float_type(current));
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(is_float_type(current));
  return out;
}

}  // namespace bpfpads
