// How one argument or return value is read from registers and memory (the `capture`
// section of a mapping file). Written as a string in YAML:
//   i8 i16 i32 i64 u8 u16 u32 u64   int (=i32) long (=i64) size_t (=u64) bool
//   f32 f64                          passed in floating-point registers
//   ptr                              the pointer value itself
//   str / str[N]                     a NUL-terminated string at the pointer, at most N
//                                    bytes (default 256); a cut string is marked as cut
//   bytes[N] / bytes[{arg}]          a buffer of N bytes, or of the length held by the
//                                    integer argument `arg` (cut at kMaxCaptureBound)
//   out T                            the argument is a pointer to a T that the callee
//                                    fills: *arg is read when the function returns. So
//                                    `out i32` is an `int*`, and `out str` is a `char**`
//                                    / `const char**` whose target string is read at
//                                    return (XGBoosterEvalOneIter's out_result).
//   out T[N] / out T[{arg}]          an array the callee fills: the argument points to
//                                    N elements (or as many as the integer capture
//                                    `arg`, read before it, says), T a number type;
//                                    `out str[B][N]` is a char** whose N strings are read
//                                    (LGBM_BoosterGetEvalNames). Templates see arrays
//                                    element by element (see mapping_model.h).
// Inside a YAML flow list ([a: ptr, b: str]) a type with brackets must be quoted,
// [b: "str[64]"], because YAML reserves [ and ] there; block lists need no quotes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace bpfpads {

inline constexpr std::uint32_t kDefaultStringBound = 256;
inline constexpr std::uint32_t kMaxCaptureBound = 4096;
inline constexpr std::uint32_t kMaxNumberArray = 64;   // elements of an out T[...] array
inline constexpr std::uint32_t kMaxStringArray = 16;   // strings of an out str[N][...] array

enum class CaptureKind : std::uint8_t {
  I8, I16, I32, I64, U8, U16, U32, U64, Bool, F32, F64, Ptr, Str, Bytes
};

struct CaptureType {
  CaptureKind kind = CaptureKind::Ptr;
  std::uint32_t bound = 0;  // Str: max bytes read; Bytes: fixed length, or the cap when
                            // the length comes from `length_arg`
  std::string length_arg;   // Bytes: the integer argument holding the length, if any
  bool out = false;         // read through the pointer at return (see above)
  std::uint32_t array = 0;  // out arrays: the element count, or the cap with array_length
  std::string array_length; // out arrays: the capture holding the element count, if any

  // Parses the YAML spelling. Errors say what is allowed.
  static Result<CaptureType> parse(std::string_view text);

  // The canonical spelling, e.g. "out str[256]", "bytes[{len}]".
  std::string to_string() const;

  bool is_integer() const;  // i8..u64 (not bool): a value usable as a length
  // The register class the value arrives in: floats (unless `out`) in XMM registers,
  // everything else in general-purpose registers.
  bool in_float_register() const;
};

}  // namespace bpfpads
