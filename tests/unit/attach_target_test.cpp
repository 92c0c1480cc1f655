#include "run/attach_target.h"
#include "run/process_scan.h"

#include <gtest/gtest.h>

namespace bpfpads {
namespace {

TEST(AttachTarget, ParsesPpidAndFlagsPastACommandWithSpacesAndParens) {
  auto f = parse_task_stat("42 (a (b) c) S 7 42 42 0 -1 4194560 100 0 0 0");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->state, 'S');
  EXPECT_EQ(f->ppid, 7);
  EXPECT_EQ(f->flags, 4194560UL);
  EXPECT_FALSE(f->start_time);  // field 22 is not in this text
}

TEST(AttachTarget, KernelThreadFlagIsSeen) {
  auto f = parse_task_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0");
  ASSERT_TRUE(f);
  EXPECT_NE(f->flags.value_or(0) & 0x00200000UL, 0UL);
}

TEST(AttachTarget, TruncatedStatIsNoFacts) {
  auto short_stat = parse_task_stat("9 (x) S 1");
  ASSERT_TRUE(short_stat);
  EXPECT_FALSE(short_stat->flags);  // no flags to judge a kernel thread by
  EXPECT_FALSE(parse_task_stat("garbage"));
  EXPECT_FALSE(parse_task_stat("9 (x)"));
}

TEST(AttachTarget, ForceAcceptsEverything) { EXPECT_TRUE(check_attach_target(1, true)); }

TEST(AttachTarget, InitIsRefusedWithTheReason) {
  auto r = check_attach_target(1, false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find("--force"), std::string::npos);
}

}  // namespace
}  // namespace bpfpads
