#include "symbols/demangled_name.h"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace bpfpads {
namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Removes trailing " [clone .xxx]" markers; reports whether any was present.
std::string_view strip_clone_suffixes(std::string_view s, bool& had_clone) {
  while (s.ends_with("]")) {
    size_t at = s.rfind(" [clone ");
    if (at == std::string_view::npos) break;
    had_clone = true;
    s = s.substr(0, at);
  }
  return s;
}

// Position of the '(' that opens the parameter list, npos when there is none.
// The list is the last balanced (...) group; what follows it may only be
// qualifiers (" const", " &&", " volatile", " noexcept").
size_t parameter_list_start(std::string_view s) {
  size_t close = s.rfind(')');
  if (close == std::string_view::npos) return close;
  for (size_t i = close + 1; i < s.size(); ++i) {
    char c = s[i];
    if (!(c == ' ' || c == '&' || is_ident_char(c))) return std::string_view::npos;
  }
  int depth = 0;
  for (size_t i = close + 1; i-- > 0;) {
    if (s[i] == ')') ++depth;
    else if (s[i] == '(' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// Operator spellings, longest first, so "operator+<char>" ends at '+' and
// its template arguments are not taken for part of the operator.
constexpr std::string_view kOperators[] = {
    "<<=", ">>=", "<=>", "->*", "()", "[]", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "++",  "--",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "->", "<",  ">",  "+",
    "-",   "*",   "/",   "%",   "^",  "&",  "|",  "~",  "!",  "=",  ","};

// Scans the qualified-name part: splits on "::" at bracket depth 0, and drops
// a leading return type (printed for function templates) at the last
// depth-0 space. "operator<", "operator()", "operator new" are kept intact.
std::vector<std::string> split_qualified(std::string_view s) {
  std::vector<std::string> parts;
  size_t part_start = 0;
  int depth = 0;
  size_t i = 0;
  auto at_component_start = [&](size_t pos) {
    return pos == part_start || (pos > 0 && s[pos - 1] == ' ');
  };
  while (i < s.size()) {
    char c = s[i];
    if (depth == 0 && at_component_start(i) && s.substr(i).starts_with("operator") &&
        (i + 8 == s.size() || !is_ident_char(s[i + 8]))) {
      i += 8;
      if (i < s.size() && s[i] == ' ' && (i + 1 >= s.size() || s[i + 1] != '<')) {
        // new, delete, conversion operators: the rest is this component.
        i = s.size();
        break;
      }
      for (std::string_view op : kOperators) {
        if (s.substr(i).starts_with(op)) {
          i += op.size();
          break;
        }
      }
      if (i + 1 < s.size() && s[i] == ' ' && s[i + 1] == '<') ++i;  // "operator< <T>"
      continue;
    }
    switch (c) {
      case '<': case '(': case '[': case '{': ++depth; break;
      case '>': case ')': case ']': case '}': if (depth > 0) --depth; break;
      case ' ':
        if (depth == 0) {  // return type ends here
          parts.clear();
          part_start = i + 1;
        }
        break;
      case ':':
        if (depth == 0 && i + 1 < s.size() && s[i + 1] == ':') {
          parts.emplace_back(s.substr(part_start, i - part_start));
          i += 2;
          part_start = i;
          continue;
        }
        break;
      default: break;
    }
    ++i;
  }
  parts.emplace_back(s.substr(part_start));
  return parts;
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string demangle(const char* name) {
  if (std::strncmp(name, "_Z", 2) != 0) return {};
  int status = 0;
  std::unique_ptr<char, FreeDeleter> out(abi::__cxa_demangle(name, nullptr, nullptr, &status));
  if (status != 0 || !out) return {};
  return std::string(out.get());
}

SplitName split_demangled(std::string_view demangled) {
  SplitName out;
  std::string_view s = demangled;
  for (std::string_view prefix : {"non-virtual thunk to ", "virtual thunk to ",
                                  "covariant return thunk to ", "transaction clone for "}) {
    if (s.starts_with(prefix)) {
      out.secondary = true;
      s.remove_prefix(prefix.size());
      break;
    }
  }
  bool had_clone = false;
  s = strip_clone_suffixes(s, had_clone);
  out.secondary = out.secondary || had_clone;
  size_t params = parameter_list_start(s);
  if (params != std::string_view::npos && params > 0) {
    out.signature = std::string(s.substr(params));
    s = s.substr(0, params);
  }
  out.components = split_qualified(s);
  return out;
}

SplitName split_symbol_name(const char* name, std::string& demangled) {
  demangled = demangle(name);
  if (!demangled.empty()) return split_demangled(demangled);
  SplitName out;
  std::string_view n(name);
  // GCC's local clones of C functions: "foo.cold", "foo.constprop.0", "foo.part.1".
  // A '.' cannot appear in a C identifier or a mangled name otherwise.
  size_t dot = n.find('.');
  out.secondary = dot != std::string_view::npos && dot > 0;
  out.components.emplace_back(n);
  return out;
}

}  // namespace bpfpads
