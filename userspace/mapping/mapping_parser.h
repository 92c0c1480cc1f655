// Entry points for reading mapping files. Every problem is reported as a Diagnostic
// ("file:line:col: error: reason"); the file is usable only when no error was found.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "mapping/diagnostics.h"
#include "mapping/mapping_model.h"

namespace bpfpads {

struct MappingParseResult {
  // On failure the Error's message lists every error diagnostic, one per line.
  Result<MappingFile> file;
  // Every error and warning, in the order found.
  std::vector<Diagnostic> diagnostics;
};

// `display_name` is used as the file in every location. Never throws.
MappingParseResult parse_mapping_text(std::string_view text, std::string_view display_name);

// Reads and parses `path`; an unreadable file is an error without position.
MappingParseResult parse_mapping_file(const std::string& path);

}  // namespace bpfpads
