#include "kernel/forced_fallbacks.h"

#include <gtest/gtest.h>

namespace bpfpads {
namespace {

TEST(ForcedFallbacks, ParsesFeatureKeysIgnoringBlanks) {
  auto keys = parse_forced_fallbacks(" attach_cookie,, uprobe_multi ,");
  ASSERT_TRUE(keys.has_value()) << keys.error().describe();
  EXPECT_EQ(*keys, (std::vector<std::string>{"attach_cookie", "uprobe_multi"}));
}

TEST(ForcedFallbacks, EmptyForcesNothing) {
  auto keys = parse_forced_fallbacks("");
  ASSERT_TRUE(keys.has_value());
  EXPECT_TRUE(keys->empty());
}

TEST(ForcedFallbacks, UnknownKeyNamesVariableAndKey) {
  auto keys = parse_forced_fallbacks("attach_cookie,uprobe-multi");
  ASSERT_FALSE(keys.has_value());
  std::string text = keys.error().describe();
  EXPECT_NE(text.find("BPFPADS_FORCE_FALLBACK"), std::string::npos) << text;
  EXPECT_NE(text.find("uprobe-multi"), std::string::npos) << text;
}

}  // namespace
}  // namespace bpfpads
