// Each setup function against the fixture trees in tests/data/setup, and
// once against this machine.
#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "setup/setup_text.h"
#include "setup_test_util.h"

namespace bpfpads {
namespace {

using setup_test::fixture_context;
using setup_test::make_setup;
using setup_test::Pairs;
using setup_test::tag_pairs;

SetupOutput collect_ok(std::string_view name, const SetupContext& ctx) {
  auto function = make_setup(name);
  EXPECT_NE(function, nullptr) << name;
  SetupOutput out;
  if (!function) return out;
  auto result = function->collect(ctx, out);
  EXPECT_TRUE(result.has_value()) << name << ": " << result.error().describe();
  return out;
}

struct utsname real_uname() {
  struct utsname uts {};
  ::uname(&uts);
  return uts;
}

TEST(SetupFunctions, SystemX86) {
  auto uts = real_uname();
  auto out = collect_ok("system", fixture_context("x86"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.system.os", "Debian GNU/Linux 12 (bookworm)"},
                                     {"bpfpads.system.kernel", uts.release},
                                     {"bpfpads.system.kernel_version", uts.version},
                                     {"bpfpads.system.machine", uts.machine},
                                     {"bpfpads.system.boot_id", "5f0d2b1e-93a4-4c2b-a1d3-6e8f9c0b7a21"},
                                 }));
  EXPECT_TRUE(out.params.empty());
  EXPECT_TRUE(out.artifacts.empty());
}

TEST(SetupFunctions, SystemFallsBackToUsrLibOsRelease) {
  auto uts = real_uname();
  auto out = collect_ok("system", fixture_context("arm"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.system.os", "Ubuntu 22.04.4 LTS (Jammy \"Jellyfish\")"},
                                     {"bpfpads.system.kernel", uts.release},
                                     {"bpfpads.system.kernel_version", uts.version},
                                     {"bpfpads.system.machine", uts.machine},
                                 }));
}

TEST(SetupFunctions, CpuX86) {
  auto out = collect_ok("cpu", fixture_context("x86"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.cpu.model", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"},
                                     {"bpfpads.cpu.logical_cores", "4"},
                                     {"bpfpads.cpu.physical_cores", "2"},
                                     {"bpfpads.cpu.frequency_mhz", "3300.0"},
                                     {"bpfpads.cpu.frequency_max_mhz", "3300.0"},
                                     {"bpfpads.cpu.frequency_min_mhz", "1200.0"},
                                 }));
}

TEST(SetupFunctions, CpuArmUsesSysfsTopology) {
  auto out = collect_ok("cpu", fixture_context("arm"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.cpu.logical_cores", "4"},
                                     {"bpfpads.cpu.physical_cores", "2"},
                                 }));
}

TEST(SetupFunctions, CpuFallsBackToCpuinfoMhzAndLogicalCores) {
  auto ctx = fixture_context("x86");
  ctx.sys_root = "/nonexistent";
  auto out = collect_ok("cpu", ctx);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.cpu.model", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"},
                                     {"bpfpads.cpu.logical_cores", "4"},
                                     {"bpfpads.cpu.physical_cores", "2"},
                                     {"bpfpads.cpu.frequency_mhz", "2394.4"},
                                 }));
  ctx = fixture_context("arm");
  ctx.sys_root = "/nonexistent";
  out = collect_ok("cpu", ctx);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.cpu.logical_cores", "4"},
                                     {"bpfpads.cpu.physical_cores", "4"},
                                 }));
}

TEST(SetupFunctions, CpuWithoutCpuinfoFails) {
  auto ctx = fixture_context("x86");
  ctx.proc_root = "/nonexistent";
  SetupOutput out;
  auto result = make_setup("cpu")->collect(ctx, out);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().context, "/nonexistent/cpuinfo");
}

TEST(SetupFunctions, Ram) {
  auto out = collect_ok("ram", fixture_context("x86"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.ram.total_mb", "16710.1"},
                                     {"bpfpads.ram.swap_total_mb", "2147.5"},
                                 }));
  out = collect_ok("ram", fixture_context("arm"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{{"bpfpads.ram.total_mb", "4097.3"}}));
}

TEST(SetupFunctions, RamWithoutMemTotalFails) {
  setup_test::TempDir dir;
  std::ofstream(dir.path() / "meminfo") << "SwapTotal: 0 kB\n";
  auto ctx = fixture_context("x86");
  ctx.proc_root = dir.path();
  SetupOutput out;
  auto result = make_setup("ram")->collect(ctx, out);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().context, (dir.path() / "meminfo").string());
}

TEST(SetupFunctions, DiskUsesStatvfsAndTheFixtureMountTable) {
  auto ctx = fixture_context("x86");
  ctx.cwd = "/tmp";
  auto out = collect_ok("disk", ctx);
  struct statvfs fs {};
  ASSERT_EQ(::statvfs("/tmp", &fs), 0);
  ASSERT_EQ(out.tags.size(), 4u);
  EXPECT_EQ(out.tags[0].key, "bpfpads.disk.total_mb");
  EXPECT_EQ(out.tags[0].value, format_mb(static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize));
  EXPECT_EQ(out.tags[1].key, "bpfpads.disk.free_mb");
  EXPECT_TRUE(std::regex_match(out.tags[1].value, std::regex(R"(\d+\.\d)")));
  EXPECT_EQ(tag_pairs({out.tags[2], out.tags[3]}), (Pairs{
                                                       {"bpfpads.disk.fs_type", "tmpfs"},
                                                       {"bpfpads.disk.mount_point", "/tmp"},
                                                   }));
}

TEST(SetupFunctions, DiskReportsAMissingDirectory) {
  auto ctx = fixture_context("x86");
  ctx.cwd = "/nonexistent/dir";
  SetupOutput out;
  auto result = make_setup("disk")->collect(ctx, out);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().err_no, ENOENT);
  EXPECT_EQ(result.error().context, "/nonexistent/dir");
}

TEST(SetupFunctions, Process) {
  setup_test::TempDir proc;
  std::filesystem::create_directories(proc.path() / "4242");
  std::filesystem::create_symlink("/usr/bin/python3.11", proc.path() / "4242/exe");
  auto ctx = fixture_context("x86");
  ctx.proc_root = proc.path();
  ctx.pid = 4242;
  ctx.argv = {"python3", "train.py", "--name", "my run"};
  ctx.cwd = "/home/alice/project";
  ctx.uid = 1000;
  ctx.user = "alice";
  auto out = collect_ok("process", ctx);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.process.pid", "4242"},
                                     {"bpfpads.process.command_line", "python3 train.py --name 'my run'"},
                                     {"bpfpads.process.cwd", "/home/alice/project"},
                                     {"bpfpads.process.user", "alice"},
                                     {"bpfpads.process.uid", "1000"},
                                     {"bpfpads.process.executable", "/usr/bin/python3.11"},
                                 }));
}

TEST(SetupFunctions, ProcessBeforeTheJobExistsLooksUpTheUser) {
  SetupContext ctx;
  ctx.uid = 0;
  ctx.argv = {"true"};
  auto out = collect_ok("process", ctx);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.process.command_line", "true"},
                                     {"bpfpads.process.user", "root"},
                                     {"bpfpads.process.uid", "0"},
                                 }));
}

TEST(SetupFunctions, MacPrefersAPhysicalInterface) {
  auto out = collect_ok("mac", fixture_context("x86"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.host.mac", "3c:7c:3f:1a:2b:4d"},
                                     {"bpfpads.host.mac_interface", "enp3s0"},
                                 }));
}

TEST(SetupFunctions, MacSkipsLoopbackAndZeroAddresses) {
  auto out = collect_ok("mac", fixture_context("arm"));
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"bpfpads.host.mac", "ee:11:22:33:44:55"},
                                     {"bpfpads.host.mac_interface", "veth1a2b"},
                                 }));
}

TEST(SetupFunctions, MacWithoutSysfsFails) {
  auto ctx = fixture_context("x86");
  ctx.sys_root = "/nonexistent";
  SetupOutput out;
  auto result = make_setup("mac")->collect(ctx, out);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().context, "/nonexistent/class/net");
}

TEST(SetupFunctions, SocketNamesTheHostAndItsAddresses) {
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  setup_test::TempDir etc;
  std::ofstream(etc.path() / "hosts") << "127.0.0.1 localhost\n127.0.1.1 " << host
                                      << ".lab.example.org " << host << "\n";
  auto ctx = fixture_context("x86");
  ctx.etc_root = etc.path();
  auto out = collect_ok("socket", ctx);
  ASSERT_GE(out.tags.size(), 2u);
  EXPECT_EQ(out.tags[0].key, "bpfpads.host.name");
  EXPECT_EQ(out.tags[0].value, host);
  EXPECT_EQ(out.tags[1].key, "bpfpads.host.fqdn");
  EXPECT_EQ(out.tags[1].value, std::string(host) + ".lab.example.org");
  if (const auto* addresses = setup_test::find_tag(out.tags, "bpfpads.host.addresses")) {
    EXPECT_TRUE(std::regex_match(*addresses, std::regex(R"([^=,]+=[0-9a-f.:]+(,[^=,]+=[0-9a-f.:]+)*)")))
        << *addresses;
    EXPECT_EQ(addresses->find("lo="), std::string::npos);
  }
}

// The real machine: every registered function runs without a warning.
TEST(SetupFunctions, RealMachine) {
  SetupContext ctx;
  ctx.pid = ::getpid();
  ctx.cwd = std::filesystem::current_path();
  ctx.argv = {"bpfpads_unit_tests"};
  ctx.uid = ::getuid();
  std::vector<std::string> warnings;
  SetupOutput out = run_setup_functions(ctx, warnings);
  EXPECT_TRUE(warnings.empty()) << ::testing::PrintToString(warnings);
  for (const char* key :
       {"bpfpads.system.kernel", "bpfpads.system.os", "bpfpads.cpu.logical_cores",
        "bpfpads.ram.total_mb", "bpfpads.disk.total_mb", "bpfpads.disk.fs_type",
        "bpfpads.process.pid", "bpfpads.process.executable", "bpfpads.host.name"})
    EXPECT_NE(setup_test::find_tag(out.tags, key), nullptr) << key;
  for (const auto& tag : out.tags) std::cout << "  " << tag.key << " = " << tag.value << "\n";
}

}  // namespace
}  // namespace bpfpads
