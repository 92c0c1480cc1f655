// What bpfpads needs of CPython's bytecode to find a function's exits: which opcodes
// return (RETURN_VALUE, and RETURN_CONST from 3.12), LOAD_CONST, and from 3.11 how many
// inline cache units follow each opcode in the adaptive code (their contents change at
// run time and may look like any opcode). Produced by tools/python_offsets/dump_offsets.c
// like the layout table, and checked the same way (tests/unit/python_layout_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfpads {

struct BytecodeFacts {
  int return_value = -1;
  int return_const = -1;  // 3.12+
  int load_const = -1;
  std::array<uint8_t, 256> caches{};  // cache units after each opcode (3.11+)

  // "op:n op:n ...", the dump tool's spelling.
  std::string caches_text() const;
};

std::optional<BytecodeFacts> bytecode_facts(int major, int minor);

// A return instruction of a code object, by its unit's byte offset in the code.
struct ReturnSite {
  size_t offset = 0;
  bool constant = false;     // RETURN_CONST, or LOAD_CONST right before RETURN_VALUE
  uint32_t const_index = 0;  // which co_consts entry it returns, when `constant`
};

// The return instructions of `code` (two-byte units), caches skipped.
std::vector<ReturnSite> find_returns(const std::vector<uint8_t>& code, const BytecodeFacts& facts);

}  // namespace bpfpads
