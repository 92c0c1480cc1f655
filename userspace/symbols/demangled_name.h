// Turns a symbol name into the path components a mapping file matches against.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bpfpads {

struct SplitName {
  // "ns::Cls<int, std::pair<a, b> >::f" -> [ns, Cls<int, std::pair<a, b> >, f];
  // "::" inside template arguments and parameter lists does not split.
  std::vector<std::string> components;
  // The parameter list with trailing qualifiers: "(int) const". Empty for C names.
  std::string signature;
  // GCC clones ("[clone .constprop.0]", ".cold" parts) and thunks: code that is
  // not the function's own entry, so a probe there sees a different ABI or
  // only part of the calls.
  bool secondary = false;
};

// Demangles an Itanium C++ name; returns empty when `name` is not mangled.
std::string demangle(const char* name);

// Splits a demangled C++ name (drops a template function's return type).
SplitName split_demangled(std::string_view demangled);

// Components of a raw symbol name: demangled and split when mangled, else one
// component (the plain C case). `demangled` receives the demangled text or "".
SplitName split_symbol_name(const char* name, std::string& demangled);

}  // namespace bpfpads
