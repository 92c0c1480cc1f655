#include <gtest/gtest.h>

#include "hooks/hook_addresses.h"

namespace bpfpads {
namespace {

TEST(HookAddresses, FileOffsetsMovedToEachExecutableMapping) {
  // A PIE executable (inode 7) and a library (inode 9) mapped twice, as after a
  // second dlopen through another path.
  auto maps = parse_proc_maps(
      "55d0c0000000-55d0c0001000 r--p 00000000 fd:01 7 /opt/app\n"
      "55d0c0001000-55d0c0003000 r-xp 00001000 fd:01 7 /opt/app\n"
      "7f0000000000-7f0000001000 r--p 00000000 fd:01 9 /usr/lib/libm.so\n"
      "7f0000001000-7f0000005000 r-xp 00001000 fd:01 9 /usr/lib/libm.so\n"
      "7f1000001000-7f1000005000 r-xp 00001000 fd:01 9 /usr/lib/libm2.so\n");
  std::vector<ProbedOffset> probes = {{.hook_id = 1, .inode = 7, .file_offset = 0x1136},
                                      {.hook_id = 2, .inode = 9, .file_offset = 0x4ff0},
                                      {.hook_id = 3, .inode = 9, .file_offset = 0x5000},  // past the code
                                      {.hook_id = 4, .inode = 8, .file_offset = 0x1136}};  // not mapped
  std::vector<HookAddress> want = {{0x55d0c0001136, 1}, {0x7f0000004ff0, 2}, {0x7f1000004ff0, 2}};
  EXPECT_EQ(hook_addresses(maps, probes), want);
}

TEST(HookAddresses, DataMappingsAndAnonymousMemoryNeverMatch) {
  auto maps = parse_proc_maps(
      "55d0c0000000-55d0c0002000 rw-p 00001000 fd:01 7 /opt/app\n"
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n");
  std::vector<ProbedOffset> probes = {{.hook_id = 1, .inode = 7, .file_offset = 0x1136},
                                      {.hook_id = 2, .inode = 0, .file_offset = 0x10}};
  EXPECT_TRUE(hook_addresses(maps, probes).empty());
}

}  // namespace
}  // namespace bpfpads
