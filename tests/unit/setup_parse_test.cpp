#include <gtest/gtest.h>

#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {
namespace {

const std::filesystem::path kData = std::filesystem::path(BPFPADS_TEST_DATA_DIR) / "setup";

std::string fixture(const std::string& rel) {
  auto text = read_text_file(kData / rel);
  EXPECT_TRUE(text.has_value()) << rel;
  return text.value_or("");
}

TEST(SetupParse, CpuinfoX86CountsThreadsAndCores) {
  CpuInfo info = parse_cpuinfo(fixture("x86/proc/cpuinfo"));
  EXPECT_EQ(info.model, "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
  EXPECT_EQ(info.logical_cores, 4);
  EXPECT_EQ(info.physical_cores, 2);
  ASSERT_TRUE(info.mhz.has_value());
  EXPECT_DOUBLE_EQ(*info.mhz, 2394.374);
}

TEST(SetupParse, CpuinfoArmHasNoModelOrCoreIds) {
  CpuInfo info = parse_cpuinfo(fixture("arm/proc/cpuinfo"));
  EXPECT_EQ(info.model, "");
  EXPECT_EQ(info.logical_cores, 4);
  EXPECT_EQ(info.physical_cores, 0);
  EXPECT_FALSE(info.mhz.has_value());
}

TEST(SetupParse, CpuinfoTwoSocketsAndOtherArchitectures) {
  CpuInfo info = parse_cpuinfo(
      "processor : 0\nphysical id : 0\ncore id : 0\n"
      "processor : 1\nphysical id : 1\ncore id : 0\n"  // no blank line between blocks
      "processor : 2\ncpu : POWER9 (raw), altivec supported\n");
  EXPECT_EQ(info.logical_cores, 3);
  EXPECT_EQ(info.physical_cores, 2);
  EXPECT_EQ(info.model, "POWER9 (raw), altivec supported");
}

TEST(SetupParse, Meminfo) {
  MemInfo info = parse_meminfo(fixture("x86/proc/meminfo"));
  EXPECT_EQ(info.mem_total_bytes, 16318480ULL * 1024);
  EXPECT_EQ(info.swap_total_bytes, 2097148ULL * 1024);
  MemInfo arm = parse_meminfo(fixture("arm/proc/meminfo"));
  EXPECT_EQ(arm.mem_total_bytes, 4001232ULL * 1024);
  EXPECT_FALSE(arm.swap_total_bytes.has_value());
  EXPECT_FALSE(parse_meminfo("garbage\nMemTotal: x kB\n").mem_total_bytes.has_value());
}

TEST(SetupParse, OsReleaseQuoting) {
  auto values = parse_os_release(
      "# comment\n"
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME='Ubuntu'\n"
      "VERSION=\"22.04 (\\\"Jammy\\\")\"\n"
      "ID=debian\n"
      "\n"
      "broken line\n");
  EXPECT_EQ(values["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(values["NAME"], "Ubuntu");
  EXPECT_EQ(values["VERSION"], "22.04 (\"Jammy\")");
  EXPECT_EQ(values["ID"], "debian");
  EXPECT_EQ(values.size(), 4u);
}

TEST(SetupParse, MountinfoFieldsEscapesAndOptionalFields) {
  auto mounts = parse_mountinfo(fixture("x86/proc/self/mountinfo"));
  ASSERT_EQ(mounts.size(), 6u);
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "ext4");
  EXPECT_EQ(mounts[0].source, "/dev/nvme0n1p2");
  EXPECT_EQ(mounts[4].mount_point, "/tmp/my data");
  EXPECT_EQ(mounts[4].fs_type, "xfs");
  EXPECT_EQ(mounts[5].mount_point, "/home");  // two optional fields before "-"
  EXPECT_EQ(mounts[5].fs_type, "btrfs");
}

TEST(SetupParse, FindMountTakesTheLongestWholeComponentPrefix) {
  auto mounts = parse_mountinfo(fixture("x86/proc/self/mountinfo"));
  EXPECT_EQ(find_mount(mounts, "/tmp")->fs_type, "tmpfs");
  EXPECT_EQ(find_mount(mounts, "/tmp/x/y")->fs_type, "tmpfs");
  EXPECT_EQ(find_mount(mounts, "/tmp/my data/run")->mount_point, "/tmp/my data");
  EXPECT_EQ(find_mount(mounts, "/tmpx")->mount_point, "/");
  EXPECT_EQ(find_mount(mounts, "/home/")->mount_point, "/home");
  EXPECT_EQ(find_mount(mounts, "/")->mount_point, "/");
  EXPECT_FALSE(find_mount({}, "/").has_value());
}

TEST(SetupParse, FindMountPrefersTheMountOnTop) {
  std::vector<MountEntry> mounts = {
      {"/", "ext4", "/dev/sda1"}, {"/data", "ext4", "/dev/sdb1"}, {"/data", "nfs", "srv:/x"}};
  EXPECT_EQ(find_mount(mounts, "/data/a")->fs_type, "nfs");
}

TEST(SetupParse, FqdnFromHosts) {
  std::string hosts =
      "127.0.0.1\tlocalhost\n"
      "# 127.0.1.1 gpu01.old.example.org gpu01\n"
      "127.0.1.1\tgpu01.lab.example.org gpu01 # the cluster name\n"
      "::1 localhost ip6-localhost\n";
  EXPECT_EQ(find_fqdn_in_hosts(hosts, "gpu01"), "gpu01.lab.example.org");
  EXPECT_EQ(find_fqdn_in_hosts(hosts, "gpu02"), std::nullopt);
  EXPECT_EQ(find_fqdn_in_hosts("10.0.0.1 box\n", "box"), std::nullopt);  // no dotted name
  EXPECT_EQ(find_fqdn_in_hosts(hosts, ""), std::nullopt);
}

}  // namespace
}  // namespace bpfpads
