#include "run/attach_target.h"

#include <gtest/gtest.h>

namespace bpfpads {
namespace {

TEST(AttachTarget, ParsesPpidAndFlagsPastACommandWithSpacesAndParens) {
  auto f = parse_stat_facts("42 (a (b) c) S 7 42 42 0 -1 4194560 100 0 0 0");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->ppid, 7);
  EXPECT_EQ(f->flags, 4194560UL);
}

TEST(AttachTarget, KernelThreadFlagIsSeen) {
  auto f = parse_stat_facts("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0");
  ASSERT_TRUE(f);
  EXPECT_NE(f->flags & 0x00200000UL, 0UL);
}

TEST(AttachTarget, TruncatedStatIsNoFacts) {
  EXPECT_FALSE(parse_stat_facts("9 (x) S 1"));
  EXPECT_FALSE(parse_stat_facts("garbage"));
}

TEST(AttachTarget, ForceAcceptsEverything) { EXPECT_TRUE(check_attach_target(1, true)); }

TEST(AttachTarget, InitIsRefusedWithTheReason) {
  auto r = check_attach_target(1, false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find("--force"), std::string::npos);
}

}  // namespace
}  // namespace bpfpads
