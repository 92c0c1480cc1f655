#include <gtest/gtest.h>

#include "hooks/hook_layout.h"
#include "hooks/signature_check.h"

namespace bpfpads {
namespace {

CapturedArg arg(const std::string& name, const std::string& type) {
  return {name, *CaptureType::parse(type), {}};
}

TEST(HooksSignature, FloatParametersFromDemangledNames) {
  EXPECT_EQ(*float_parameters("ns::f(int, double const&, float)"), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(*float_parameters("double ns::twice<double>(double)"), (std::vector<bool>{true}));
  EXPECT_EQ(*float_parameters("ns::g(std::map<int, double>, double*)"), (std::vector<bool>{false, false}));
  EXPECT_TRUE(float_parameters("ns::h()")->empty());
  EXPECT_FALSE(float_parameters("plain_c_name"));
}

TEST(HooksLayout, RegistersKindsAndDataOffsets) {
  CaptureSpec spec;
  spec.args = {arg("handle", "ptr"), arg("scale", "f64"), arg("name", "str[100]"), arg("n", "u32"),
               arg("buf", "bytes[{n}]"), arg("out", "out i32")};
  spec.returns = *CaptureType::parse("i64");
  auto layout = compile_hook_layout(spec, {});
  ASSERT_TRUE(layout) << layout.error().describe();
  const auto& c = layout->spec.captures;
  EXPECT_EQ(layout->spec.ncaptures, 7);
  EXPECT_EQ(c[0].kind, BP_CAP_ARG);
  EXPECT_EQ(c[0].arg, 0);
  EXPECT_FALSE(layout->fields[1].readable);  // f64 in XMM: no integer register used
  EXPECT_EQ(c[2].kind, BP_CAP_STR);
  EXPECT_EQ(c[2].arg, 1);
  EXPECT_EQ(c[2].offset, 0);
  EXPECT_EQ(c[2].max_len, 100);
  EXPECT_EQ(c[3].arg, 2);
  EXPECT_EQ(c[4].kind, BP_CAP_BYTES_ARGLEN);
  EXPECT_EQ(c[4].len_arg, 2);
  EXPECT_EQ(c[4].offset, 100);
  EXPECT_EQ(c[5].kind, BP_CAP_OUT_INT);
  EXPECT_EQ(c[5].int_size, 4);
  EXPECT_EQ(c[6].kind, BP_CAP_RET);
  EXPECT_TRUE(layout->spec.flags & BP_HOOK_PAIRED);
  EXPECT_TRUE(layout->spec.flags & BP_HOOK_HAS_DATA);
  EXPECT_EQ(layout->warnings.size(), 1u);
}

TEST(HooksLayout, TooManyBytesIsAnErrorNamingTheCapture) {
  CaptureSpec spec;
  spec.args = {arg("a", "str[1000]"), arg("b", "str[100]")};
  auto layout = compile_hook_layout(spec, {});
  ASSERT_FALSE(layout);
  EXPECT_NE(layout.error().describe().find("capture b"), std::string::npos);
}

TEST(HooksLayout, DecodesValuesAsTemplatesSeeThem) {
  CaptureSpec spec;
  spec.args = {arg("i", "i32"), arg("flag", "bool"), arg("p", "ptr"), arg("s", "str[16]"), arg("x", "out f64")};
  auto layout = compile_hook_layout(spec, {});
  ASSERT_TRUE(layout);
  HookCallEvent e{};
  e.values[0] = 0xffffffffull;  // -1 as a 32-bit register value
  e.values[1] = 1;
  e.values[2] = 0x7ffd1234;
  e.slots[3].len = 5;
  e.slots[3].flags = BP_FLAG_CUT;
  e.data.assign(BP_HOOK_DATA_MAX, '\0');
  e.data.replace(0, 5, "hello");
  double half = 0.5;
  std::memcpy(&e.values[4], &half, sizeof(half));
  auto v = decode_captures(*layout, e);
  EXPECT_EQ(v["i"].text, "-1");
  EXPECT_EQ(v["flag"].text, "true");
  EXPECT_EQ(v["p"].text, "0x7ffd1234");
  EXPECT_EQ(v["s"].text, "hello");
  EXPECT_TRUE(v["s"].cut);
  EXPECT_EQ(v["x"].text, "0.5");
}

TEST(HooksLayout, OutArraysCountedByAnEarlierCapture) {
  CaptureSpec spec;
  spec.args = {arg("n", "out i32"), arg("values", "out f64[{n}]"), arg("names", "out str[32][{n}]")};
  auto layout = compile_hook_layout(spec, {});
  ASSERT_TRUE(layout) << layout.error().describe();
  const auto& c = layout->spec.captures;
  EXPECT_EQ(c[1].kind, BP_CAP_OUT_ARRAY);
  EXPECT_EQ(c[1].int_size, 8);
  EXPECT_EQ(c[1].len_arg, 0);  // the capture index of n
  EXPECT_EQ(c[1].max_len, 8 * kMaxNumberArray);
  EXPECT_EQ(c[2].kind, BP_CAP_OUT_STR_ARRAY);
  EXPECT_EQ(c[2].int_size, 32);
  EXPECT_EQ(c[2].offset, 8 * kMaxNumberArray);
  EXPECT_EQ(c[2].max_len, 32 * kMaxStringArray);  // the rest of the data area: 16 strings
  EXPECT_TRUE(layout->spec.flags & BP_HOOK_PAIRED);

  HookCallEvent e{};
  e.values[0] = 2;
  e.slots[1].len = 16;
  e.slots[2].len = 2;
  e.data.assign(BP_HOOK_DATA_MAX, '\0');
  double v[2] = {0.25, 0.1};
  e.data.replace(0, 16, reinterpret_cast<const char*>(v), 16);
  e.data.replace(c[2].offset, 3, "auc");
  e.data.replace(c[2].offset + 32, 14, "binary_logloss");
  auto d = decode_captures(*layout, e);
  EXPECT_TRUE(d["values"].is_array);
  EXPECT_EQ(d["values"].elements, (std::vector<std::string>{"0.25", "0.1"}));
  EXPECT_EQ(d["names"].elements, (std::vector<std::string>{"auc", "binary_logloss"}));
  EXPECT_EQ(d["names"].text, "auc,binary_logloss");
}

TEST(HooksLayout, ArrayCountMustBeAnEarlierInteger) {
  CaptureSpec spec;
  spec.args = {arg("values", "out f64[{n}]"), arg("n", "out i32")};
  auto layout = compile_hook_layout(spec, {});
  ASSERT_FALSE(layout);
  EXPECT_NE(layout.error().describe().find("'n' must be an integer captured before"), std::string::npos);
}

TEST(HooksLayout, UsdtHasNoReturn) {
  CaptureSpec spec;
  spec.args = {arg("a", "i32")};
  auto layout = compile_hook_layout(spec, {.usdt = true, .paired = true, .hardware = true});
  ASSERT_TRUE(layout);
  EXPECT_FALSE(layout->spec.flags & BP_HOOK_PAIRED);
  spec.returns = *CaptureType::parse("i32");
  EXPECT_FALSE(compile_hook_layout(spec, {.usdt = true}));
}

}  // namespace
}  // namespace bpfpads
