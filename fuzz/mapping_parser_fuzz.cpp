// libFuzzer target for the mapping-file and config parsers: any input must yield
// diagnostics, never a crash, an exception or unbounded work. See fuzz/CMakeLists.txt.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mapping/mapping_parser.h"
#include "mapping/pipeline_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto mapping = bpfpads::parse_mapping_text(text, "fuzz.yaml");
  if (mapping.file) {
    // Exercise what later stages use: matching and rendering.
    for (const auto& entry : mapping.file->entries) {
      for (const auto& segment : entry.path) (void)segment.matches("fit_transform");
      (void)entry.path_text();
    }
  }
  (void)bpfpads::parse_pipeline_config_text(text, "fuzz.yaml");
  return 0;
}
