// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a journal line, so a torn or bit-flipped
// line is recognised and set aside instead of being shipped as garbage.
#pragma once

#include <cstdint>
#include <string_view>

namespace bpfpads {

uint32_t crc32(std::string_view bytes);

}  // namespace bpfpads
