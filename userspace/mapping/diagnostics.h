// Positions and messages for problems found in mapping and config files. Errors make a
// file unusable; warnings are reported and the file is still used.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"

namespace bpfpads {

// 1-based line and column, as editors show them (yaml-cpp's Mark is 0-based).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col" (or just "file" when no position is known).
  std::string format() const;
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation location;
  std::string message;

  // "file:line:col: error: reason" — the compiler format, so editors jump to it.
  std::string format() const;
};

// Collects every problem of one file instead of stopping at the first one, so one
// `bpfpads mappings check` run shows them all.
class DiagnosticSink {
 public:
  void error(const SourceLocation& where, std::string message);
  void warning(const SourceLocation& where, std::string message);

  // Stable sort by line and column (file-level problems first).
  void sort_by_position();

  bool has_errors() const { return error_count_ > 0; }
  const std::vector<Diagnostic>& all() const { return diagnostics_; }
  std::vector<Diagnostic> take() { return std::move(diagnostics_); }

  // An Error whose message lists every error diagnostic, one per line.
  Error to_error() const;

 private:
  void add(Severity severity, const SourceLocation& where, std::string message);

  std::vector<Diagnostic> diagnostics_;
  std::set<std::string> seen_;  // a fragment included twice reports its problems once
  std::size_t error_count_ = 0;
};

}  // namespace bpfpads
