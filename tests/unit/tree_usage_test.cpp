#include <gtest/gtest.h>

#include <vector>

#include "hardware/tree_usage.h"

namespace bpfpads {
namespace {

bp_task_sample thread(uint32_t tgid, uint32_t tid, uint64_t cpu_ns, uint64_t rss_pages = 0,
                      uint64_t hiwater = 0) {
  bp_task_sample s{};
  s.tgid = tgid;
  s.tid = tid;
  s.counters.cpu_ns = cpu_ns;
  s.counters.write_bytes = 1000;
  s.counters.min_flt = 10;
  s.counters.maj_flt = 1;
  s.counters.nvcsw = 2;
  s.counters.nivcsw = 3;
  s.rss_pages = rss_pages;
  s.hiwater_rss_pages = hiwater;
  return s;
}

const Metric& find(const std::vector<Metric>& ms, const std::string& key) {
  for (const auto& m : ms)
    if (m.key == key) return m;
  static Metric none{"missing", -1, 0, 0};
  ADD_FAILURE() << "metric " << key << " missing";
  return none;
}

TEST(TreeUsage, SumsLiveThreadsAndExitedCounters) {
  std::vector<bp_task_sample> live = {thread(10, 10, 1'000'000'000, 100, 50),
                                      thread(10, 11, 500'000'000), thread(20, 20, 250'000'000, 10, 400)};
  bp_task_counters exited{};
  exited.cpu_ns = 2'000'000'000;
  exited.write_bytes = 5000;
  TreeUsage u = sum_usage(live, exited, 4096);
  EXPECT_EQ(u.cpu_ns, 3'750'000'000u);
  EXPECT_EQ(u.write_bytes, 8000u);
  EXPECT_EQ(u.page_faults, 33u);
  EXPECT_EQ(u.major_faults, 3u);
  EXPECT_EQ(u.context_switches, 15u);
  EXPECT_EQ(u.processes, 2u);
  EXPECT_EQ(u.threads, 3u);
  EXPECT_EQ(u.rss_bytes, 110u * 4096);
  // hiwater is lazy: the larger of it and the current RSS, per process.
  EXPECT_EQ(u.max_process_peak_bytes, 400u * 4096);
}

TEST(UsageTracker, RatesStepsAndTotals) {
  UsageTracker t(false);
  TreeUsage a;
  a.cpu_ns = 0;
  a.rss_bytes = 50'000'000;
  auto m0 = t.on_snapshot(a, 0, 1000);
  EXPECT_EQ(find(m0, "system/process_memory_rss_megabytes").value, 50.0);
  EXPECT_EQ(find(m0, "system/process_cpu_percent").step, 0);

  TreeUsage b = a;
  b.cpu_ns = 500'000'000;  // half a core over one second
  b.rss_bytes = 300'000'000;
  b.write_bytes = 64'000'000;
  auto m1 = t.on_snapshot(b, 1'000'000'000, 2000);
  EXPECT_EQ(find(m1, "system/process_cpu_percent").value, 50.0);
  EXPECT_EQ(find(m1, "system/process_cpu_percent").step, 1);
  EXPECT_EQ(find(m1, "system/process_disk_write_megabytes").value, 64.0);

  TreeUsage c = b;
  c.rss_bytes = 0;
  c.cpu_ns = 400'000'000;  // a thread between iterator and accumulator: never go back
  auto m2 = t.on_snapshot(c, 2'000'000'000, 3000);
  EXPECT_EQ(find(m2, "system/process_cpu_percent").value, 0.0);
  t.on_process_peak(350'000'000);

  auto totals = t.totals(2'000'000'000, 3000);
  EXPECT_EQ(find(totals, "bpfpads/cpu_seconds").value, 0.5);
  EXPECT_EQ(find(totals, "bpfpads/peak_memory_mb").value, 350.0);
  EXPECT_EQ(find(totals, "bpfpads/disk_write_mb").value, 64.0);
  EXPECT_EQ(find(totals, "bpfpads/wall_seconds").value, 2.0);
}

TEST(UsageTracker, AttachCountsFromTheBaseline) {
  UsageTracker t(true);
  TreeUsage before;
  before.cpu_ns = 10'000'000'000;
  before.write_bytes = 1'000'000;
  t.on_snapshot(before, 0, 0);
  TreeUsage after = before;
  after.cpu_ns += 1'000'000'000;
  after.write_bytes += 2'000'000;
  t.on_snapshot(after, 1'000'000'000, 1000);
  auto totals = t.totals(1'000'000'000, 1000);
  EXPECT_EQ(find(totals, "bpfpads/cpu_seconds").value, 1.0);
  EXPECT_EQ(find(totals, "bpfpads/disk_write_mb").value, 2.0);
}

}  // namespace
}  // namespace bpfpads
