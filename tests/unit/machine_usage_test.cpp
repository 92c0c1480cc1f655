#include <gtest/gtest.h>

#include "hardware/machine_usage.h"

namespace bpfpads {
namespace {

TEST(MachineUsage, ParsesAggregateCpuLine) {
  auto t = parse_proc_stat("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->total, 1000u);
  EXPECT_EQ(t->busy, 160u);  // everything but idle and iowait
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3"));
}

TEST(MachineUsage, ParsesMeminfo) {
  auto m = parse_meminfo("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    4000000 kB\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->total_bytes, 16000000ull * 1024);
  EXPECT_EQ(m->available_bytes, 4000000ull * 1024);
  EXPECT_FALSE(parse_meminfo("MemTotal: 1 kB\n"));
}

}  // namespace
}  // namespace bpfpads
