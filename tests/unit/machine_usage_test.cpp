#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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

TEST(MachineUsage, ReadsFakeProcAndReportsMlflowNames) {
  auto dir = std::filesystem::temp_directory_path() / ("bpfpads-machine-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name) << text;
  };
  write("meminfo", "MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    4000000 kB\n");
  write("stat", "cpu  100 0 0 900 0 0 0 0 0 0\n");
  MachineUsage usage(dir);
  auto first = usage.sample(1000, 0);
  ASSERT_EQ(first.size(), 2u);  // no CPU figure from a single reading
  EXPECT_EQ(first[0].key, "system/system_memory_usage_megabytes");
  EXPECT_DOUBLE_EQ(first[0].value, 12288.0);
  EXPECT_EQ(first[1].key, "system/system_memory_usage_percentage");
  EXPECT_DOUBLE_EQ(first[1].value, 75.0);
  write("stat", "cpu  150 0 0 950 0 0 0 0 0 0\n");
  auto second = usage.sample(2000, 1);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].key, "system/cpu_utilization_percentage");
  EXPECT_DOUBLE_EQ(second[0].value, 50.0);
  EXPECT_EQ(second[0].step, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bpfpads
