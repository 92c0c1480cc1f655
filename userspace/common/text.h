// Text helpers every layer uses: reading small kernel files whole, trimming.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.h"

namespace bpfpads {

// Reads a whole file. Works for /proc and /sys files, whose stat size is 0.
// Stops after max_bytes: these files are small, and a fixture gone wrong must not
// eat memory.
Result<std::string> read_text_file(const std::filesystem::path& path,
                                   std::size_t max_bytes = std::size_t{1} << 20);

std::string_view trim(std::string_view text);

}  // namespace bpfpads
