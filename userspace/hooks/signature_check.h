#pragma once
#include <optional>
#include <string>
#include <vector>
namespace bpfpads {
// For a demangled C++ name, which parameters arrive in floating-point registers:
// "ns::f(int, double const&, float)" -> {false, false, true}. nullopt for C names
// (no parameter list) or one that cannot be read.
std::optional<std::vector<bool>> float_parameters(const std::string& demangled);
}  // namespace bpfpads
