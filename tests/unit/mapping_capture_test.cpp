// Capture types and the `capture` section, with exact error positions.
#include <gtest/gtest.h>

#include "mapping/capture_type.h"
#include "mapping/mapping_parser.h"

namespace bpfpads {
namespace {

TEST(MappingCaptureType, OutArraysOfNumbersAndStrings) {
  auto f = CaptureType::parse("out f64[{out_len}]").value();
  EXPECT_EQ(f.kind, CaptureKind::F64);
  EXPECT_EQ(f.array_length, "out_len");
  EXPECT_EQ(f.array, kMaxNumberArray);
  EXPECT_EQ(f.to_string(), "out f64[{out_len}]");
  auto i = CaptureType::parse("out i32[4]").value();
  EXPECT_EQ(i.array, 4u);
  EXPECT_EQ(i.to_string(), "out i32[4]");
  auto s = CaptureType::parse("out str[64][{n}]").value();
  EXPECT_EQ(s.kind, CaptureKind::Str);
  EXPECT_EQ(s.bound, 64u);
  EXPECT_EQ(s.array_length, "n");
  EXPECT_EQ(s.to_string(), "out str[64][{n}]");
  EXPECT_EQ(CaptureType::parse("out str[8]").value().array, 0u);  // one string of 8 bytes
  auto not_out = CaptureType::parse("f64[4]");
  ASSERT_FALSE(not_out);
  EXPECT_NE(not_out.error().message.find("write 'out f64[4]'"), std::string::npos);
  EXPECT_FALSE(CaptureType::parse("out f64[0]"));
  EXPECT_FALSE(CaptureType::parse("out str[8][17]"));  // more than kMaxStringArray
  EXPECT_FALSE(CaptureType::parse("out f64[{1x}]"));
}

TEST(MappingCaptureType, ParsesEveryType) {
  struct Case {
    const char* text;
    CaptureKind kind;
    std::uint32_t bound;
    bool out;
  } cases[] = {
      {"i8", CaptureKind::I8, 0, false},       {"u64", CaptureKind::U64, 0, false},
      {"int", CaptureKind::I32, 0, false},     {"long", CaptureKind::I64, 0, false},
      {"size_t", CaptureKind::U64, 0, false},  {"bool", CaptureKind::Bool, 0, false},
      {"f32", CaptureKind::F32, 0, false},     {"f64", CaptureKind::F64, 0, false},
      {"ptr", CaptureKind::Ptr, 0, false},     {"str", CaptureKind::Str, 256, false},
      {"str[64]", CaptureKind::Str, 64, false}, {"bytes[4096]", CaptureKind::Bytes, 4096, false},
      {"out str", CaptureKind::Str, 256, true}, {"out  i32", CaptureKind::I32, 0, true},
      {" out f64 ", CaptureKind::F64, 0, true},
  };
  for (const auto& c : cases) {
    auto t = CaptureType::parse(c.text);
    ASSERT_TRUE(t.has_value()) << c.text << ": " << t.error().message;
    EXPECT_EQ(t->kind, c.kind) << c.text;
    EXPECT_EQ(t->bound, c.bound) << c.text;
    EXPECT_EQ(t->out, c.out) << c.text;
  }
  auto b = CaptureType::parse("bytes[{len}]").value();
  EXPECT_EQ(b.length_arg, "len");
  EXPECT_EQ(b.bound, kMaxCaptureBound);
  EXPECT_EQ(b.to_string(), "bytes[{len}]");
  EXPECT_EQ(CaptureType::parse("out str").value().to_string(), "out str[256]");
  EXPECT_EQ(CaptureType::parse("size_t").value().to_string(), "u64");
  EXPECT_TRUE(CaptureType::parse("f64").value().in_float_register());
  EXPECT_FALSE(CaptureType::parse("out f64").value().in_float_register());  // a pointer
  EXPECT_FALSE(CaptureType::parse("bool").value().is_integer());
}

TEST(MappingCaptureType, Errors) {
  auto err = [](const char* t) { return CaptureType::parse(t).error().message; };
  EXPECT_EQ(err("float"),
            "invalid capture type 'float': expected one of i8 i16 i32 i64 u8 u16 u32 u64 int long size_t bool f32 "
            "f64 ptr str str[N] bytes[N] bytes[{arg}], optionally after 'out ' (then also T[N], T[{arg}], str[N][M])");
  EXPECT_EQ(err("str[4097]"), "invalid capture type 'str[4097]': the bound must be 1..4096");
  EXPECT_EQ(err("bytes[0]"), "invalid capture type 'bytes[0]': the bound must be 1..4096");
  EXPECT_EQ(err("bytes"), "invalid capture type 'bytes': bytes needs a length, bytes[N] or bytes[{arg}]");
  EXPECT_EQ(err("str[{n}]"), "invalid capture type 'str[{n}]': only bytes[...] takes its length from an argument");
  EXPECT_EQ(err("bytes[x]"), "invalid capture type 'bytes[x]': the bound must be a number or {arg}");
  EXPECT_EQ(err("bytes[{1x}]"), "invalid capture type 'bytes[{1x}]': '1x' is not an argument name");
  EXPECT_EQ(err("out out ptr"), "invalid capture type 'out out ptr': 'out' may appear once");
}

constexpr const char* kHeader =
    "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
    "mappings:\n"
    "  :{lib:libx.so}.f:\n"
    "    hooks: h\n";  // capture starts on line 5

std::string errors_of(const std::string& capture) {
  auto r = parse_mapping_text(std::string(kHeader) + capture, "c.yaml");
  std::string text;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::Error) text += d.format() + "\n";
  return text;
}

TEST(MappingCapture, ValidSpec) {
  auto r = parse_mapping_text(std::string(kHeader) +
                                  "    capture:\n"
                                  "      args:\n"
                                  "        - buf: bytes[{n}]\n"
                                  "        - n: size_t\n"
                                  "        - scale: f64\n"
                                  "        - out_len: out u32\n"
                                  "        - out_buf: out bytes[{out_len}]\n"
                                  "      returns: bytes[{n}]\n",
                              "c.yaml");
  ASSERT_TRUE(r.file.has_value()) << r.file.error().message;
  const CaptureSpec& c = *r.file->entries[0].capture;
  ASSERT_EQ(c.args.size(), 5u);
  EXPECT_EQ(c.args[0].location.format(), "c.yaml:7:11");
  EXPECT_EQ(c.args[4].type.length_arg, "out_len");
  EXPECT_EQ(c.returns->length_arg, "n");
}

TEST(MappingCapture, ArrayCountIsAnEarlierIntegerCapture) {
  EXPECT_EQ(errors_of("    capture: {args: [n: out i32, v: 'out f64[{n}]']}\n"), "");
  EXPECT_EQ(errors_of("    capture: {args: [v: 'out f64[{n}]', n: out i32]}\n"),
            "c.yaml:5:22: error: v: element count 'n' must be captured before the array\n");
  EXPECT_EQ(errors_of("    capture: {args: [n: str, v: 'out f64[{n}]']}\n"),
            "c.yaml:5:30: error: v: element count 'n' is str[256], not an integer\n");
}

TEST(MappingCapture, RegisterLimits) {
  EXPECT_EQ(errors_of("    capture: {args: [a: ptr, b: ptr, c: ptr, d: f64, e: ptr, f: ptr, g: ptr, h: ptr]}\n"),
            "c.yaml:5:78: error: only the first 6 integer/pointer arguments are in registers on x86-64 (System V)\n");
  EXPECT_EQ(errors_of("    capture: {args: [a: f64, b: f32, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, "
                      "i: ptr, j: f64]}\n"),
            "c.yaml:5:94: error: only the first 8 floating-point arguments are in registers on x86-64 (System V)\n");
  // `out f64` is a pointer: it uses an integer register.
  EXPECT_EQ(errors_of("    capture: {args: [a: out f64, b: ptr, c: ptr, d: ptr, e: ptr, f: ptr]}\n"), "");
}

TEST(MappingCapture, Errors) {
  EXPECT_EQ(errors_of("    capture: {args: [a: float]}\n"),
            "c.yaml:5:25: error: invalid capture type 'float': expected one of i8 i16 i32 i64 u8 u16 u32 u64 int "
            "long size_t bool f32 f64 ptr str str[N] bytes[N] bytes[{arg}], optionally after 'out ' (then also T[N], "
            "T[{arg}], str[N][M])\n");
  EXPECT_EQ(errors_of("    capture: {args: [a: ptr, a: i32]}\n"), "c.yaml:5:30: error: argument 'a' is captured twice\n");
  EXPECT_EQ(errors_of("    capture: {args: [return: ptr]}\n"),
            "c.yaml:5:22: error: 'return' is reserved for the return value (use 'returns: TYPE')\n");
  EXPECT_EQ(errors_of("    capture: {args: [ptr]}\n"),
            "c.yaml:5:22: error: each 'args' entry must be 'name: type' (e.g. [handle: ptr, name: str])\n");
  EXPECT_EQ(errors_of("    capture: {args: {a: ptr}}\n"),
            "c.yaml:5:21: error: 'args' must be a list of 'name: type' (e.g. [handle: ptr, name: str])\n");
  EXPECT_EQ(errors_of("    capture: {returns: out ptr}\n"),
            "c.yaml:5:24: error: 'out' applies to pointer arguments, not to the return value\n");
  EXPECT_EQ(errors_of("    capture: {argz: []}\n"),
            "c.yaml:5:15: error: unknown key 'argz' in 'capture' (expected args, returns)\n");
  EXPECT_EQ(errors_of("    capture: [a]\n"),
            "c.yaml:5:14: error: 'capture' must be a mapping with 'args' and/or 'returns'\n");
}

TEST(MappingCapture, LengthReferenceErrors) {
  EXPECT_EQ(errors_of("    capture:\n      args:\n        - buf: bytes[{n}]\n"),
            "c.yaml:7:11: error: buf: length argument 'n' is not captured\n");
  EXPECT_EQ(errors_of("    capture:\n      args:\n        - n: str\n        - buf: bytes[{n}]\n"),
            "c.yaml:8:11: error: buf: length argument 'n' is str[256], not an integer\n");
  EXPECT_EQ(errors_of("    capture:\n      args:\n        - n: bool\n        - buf: bytes[{n}]\n"),
            "c.yaml:8:11: error: buf: length argument 'n' is bool, not an integer\n");
  EXPECT_EQ(errors_of("    capture:\n      args:\n        - buf: bytes[{buf}]\n"),
            "c.yaml:7:11: error: buf: a buffer cannot be its own length\n");
  EXPECT_EQ(errors_of("    capture:\n      args:\n        - n: out u64\n        - buf: bytes[{n}]\n"),
            "c.yaml:8:11: error: buf: length argument 'n' is only known at return; make this 'out' too\n");
  EXPECT_EQ(errors_of("    capture:\n      returns: bytes[{nope}]\n"),
            "c.yaml:6:7: error: returns: length argument 'nope' is not captured\n");
}

}  // namespace
}  // namespace bpfpads
