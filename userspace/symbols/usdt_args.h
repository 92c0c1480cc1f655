// SystemTap SDT argument specs for x86-64 ("-4@%edi", "8@-8(%rbp)", "4@$5").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

// One x86-64 register as an argument names it.
struct X86Register {
  std::string name;     // as written, without '%': "edi"
  std::string base;     // the full register holding it: "rdi", "r8", "rip", "xmm0"
  uint8_t width = 8;    // bytes the name covers: 1, 2, 4, 8 (16 for xmm)
  bool high_byte = false;  // %ah..%dh: bits 8-15 of the base register
};

// Parses "%edi" (or "edi"); false for unknown names.
bool parse_x86_register(std::string_view text, X86Register& out);

struct UsdtArg {
  enum class Kind { Constant, Register, Memory };
  Kind kind = Kind::Register;
  uint8_t size = 8;        // bytes the value occupies, from the N in "N@"
  bool is_signed = false;  // "-N@"
  bool is_float = false;   // "Nf@" (newer GCC marks floating-point arguments)
  int64_t constant = 0;    // Kind::Constant: "$5"
  X86Register reg;         // Kind::Register, or Memory's base (base empty: none)
  int64_t displacement = 0;      // Memory: the -8 in "-8(%rbp)"
  std::string symbol;            // Memory: "counter" in "counter+4(%rip)"
  bool has_index = false;        // Memory: "(%rax,%rbx,8)"
  X86Register index;
  uint8_t scale = 1;
  std::string text;        // the spec as written
};

Result<UsdtArg> parse_usdt_arg(std::string_view spec);
// Arguments are separated by spaces; an empty string is no argument.
Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view specs);

}  // namespace bpfpads
