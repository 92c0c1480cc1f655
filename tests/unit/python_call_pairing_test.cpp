// The pairing of Python watchpoint events into calls (python/call_pairing.h), on
// made-up events: pure logic.
#include <gtest/gtest.h>

#include "python/call_pairing.h"

namespace bpfpads {
namespace {

constexpr uint32_t kFit = 1, kMetric = 2;  // kMetric: only its returns are watched

PythonCallEvent event(uint32_t hook, bool is_return, uint64_t frame, uint32_t depth, uint64_t ts, uint32_t tid = 10) {
  PythonCallEvent e{};
  e.tgid = 100;
  e.tid = tid;
  e.hook_id = hook;
  e.is_return = is_return;
  e.frame = frame;
  e.code = hook == kFit ? 0xc0de : 0xbeef;
  e.depth = depth;
  e.ts_ns = ts;
  return e;
}

CallPairing pairing() {
  return CallPairing([](uint32_t hook) { return hook == kFit; });
}

TEST(CallPairing, NestedCallsPairWithTheirOwnReturns) {
  auto p = pairing();
  bool accepted = false;
  EXPECT_TRUE(p.on_entry(event(kFit, false, 0xa, 0, 1), 1, accepted).empty());
  EXPECT_TRUE(accepted);
  EXPECT_TRUE(p.on_entry(event(kFit, false, 0xb, 1, 2), 2, accepted).empty());
  auto inner = p.on_return(event(kFit, true, 0xb, 1, 3));
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].user, 2u);
  EXPECT_EQ(inner[0].end, PythonCallInfo::End::Returned);
  // The same frame address again, after the return: a new call, not a repeat.
  EXPECT_TRUE(p.on_entry(event(kFit, false, 0xb, 1, 4), 3, accepted).empty());
  EXPECT_TRUE(accepted);
  auto second = p.on_return(event(kFit, true, 0xb, 1, 5));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].user, 3u);
  auto outer = p.on_return(event(kFit, true, 0xa, 0, 6));
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0].user, 1u);
  EXPECT_EQ(outer[0].exit->ts_ns, 6u);
}

TEST(CallPairing, ARepeatedAccessToTheFirstUnitIsNotASecondCall) {
  auto p = pairing();
  bool accepted = false;
  p.on_entry(event(kFit, false, 0xa, 0, 1), 1, accepted);
  p.on_entry(event(kFit, false, 0xa, 0, 2), 2, accepted);  // 3.13 rewriting RESUME
  EXPECT_FALSE(accepted);
  EXPECT_EQ(p.repeated_entries(), 1u);
  auto done = p.on_return(event(kFit, true, 0xa, 0, 3));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].user, 1u);
}

TEST(CallPairing, ACallWhoseReturnIsNotSeenEndsWhenALaterEventShowsItOver) {
  auto p = pairing();
  bool accepted = false;
  p.on_entry(event(kFit, false, 0xa, 0, 1), 1, accepted);  // raises: no return
  auto ended = p.on_entry(event(kFit, false, 0xb, 0, 2), 2, accepted);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].user, 1u);
  EXPECT_EQ(ended[0].end, PythonCallInfo::End::Unseen);
  EXPECT_FALSE(ended[0].exit);
  // Its caller's return ends whatever is open above it.
  p.on_entry(event(kFit, false, 0xc, 1, 3), 3, accepted);
  auto both = p.on_return(event(kFit, true, 0xb, 0, 4));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].user, 3u);
  EXPECT_EQ(both[0].end, PythonCallInfo::End::Unseen);
  EXPECT_EQ(both[1].user, 2u);
  EXPECT_EQ(both[1].end, PythonCallInfo::End::Returned);
}

TEST(CallPairing, ReturnsOnlyHooksAreCallsByThemselvesAndOthersNeedTheirEntry) {
  auto p = pairing();
  auto metric = p.on_return(event(kMetric, true, 0xd, 0, 1));
  ASSERT_EQ(metric.size(), 1u);
  EXPECT_FALSE(metric[0].entry);
  EXPECT_EQ(metric[0].end, PythonCallInfo::End::Returned);
  // A fit that began before the watch: its return is not made a call.
  EXPECT_TRUE(p.on_return(event(kFit, true, 0xe, 0, 2)).empty());
  EXPECT_EQ(p.returns_without_entry(), 1u);
}

TEST(CallPairing, ThreadsAreApartAndTheEndLeavesOpenCallsRunning) {
  auto p = pairing();
  bool accepted = false;
  p.on_entry(event(kFit, false, 0xa, 0, 1, 10), 1, accepted);
  p.on_entry(event(kFit, false, 0xa, 0, 2, 11), 2, accepted);  // same frame address, another thread
  EXPECT_TRUE(accepted);
  auto t11 = p.on_return(event(kFit, true, 0xa, 0, 3, 11));
  ASSERT_EQ(t11.size(), 1u);
  EXPECT_EQ(t11[0].user, 2u);
  auto left = p.finish();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].user, 1u);
  EXPECT_EQ(left[0].end, PythonCallInfo::End::Running);
}

}  // namespace
}  // namespace bpfpads
