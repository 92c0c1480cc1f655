#include "mapping/diagnostics.h"

#include <algorithm>

namespace bpfpads {

std::string SourceLocation::format() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::format() const {
  return location.format() + (severity == Severity::Error ? ": error: " : ": warning: ") + message;
}

void DiagnosticSink::add(Severity severity, const SourceLocation& where, std::string message) {
  Diagnostic d{severity, where, std::move(message)};
  if (!seen_.insert(d.format()).second) return;
  if (severity == Severity::Error) ++error_count_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticSink::error(const SourceLocation& where, std::string message) {
  add(Severity::Error, where, std::move(message));
}

void DiagnosticSink::warning(const SourceLocation& where, std::string message) {
  add(Severity::Warning, where, std::move(message));
}

void DiagnosticSink::sort_by_position() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.location.line, a.location.column) < std::pair(b.location.line, b.location.column);
  });
}

Error DiagnosticSink::to_error() const {
  std::string text;
  for (const auto& d : diagnostics_) {
    if (d.severity != Severity::Error) continue;
    if (!text.empty()) text += '\n';
    text += d.format();
  }
  return Error{text.empty() ? "no errors" : text, 0, {}};
}

}  // namespace bpfpads
