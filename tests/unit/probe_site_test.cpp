#include "symbols/probe_site.h"

#include <gtest/gtest.h>

#include <vector>

namespace bpfpads {
namespace {

bool emulated(std::vector<uint8_t> bytes) { return classify_probe_site(bytes).emulated; }

TEST(ProbeSite, WhatTheKernelEmulates) {
  EXPECT_TRUE(emulated({0x55}));              // push %rbp
  EXPECT_TRUE(emulated({0x41, 0x57}));        // push %r15
  EXPECT_TRUE(emulated({0x90}));              // nop
  EXPECT_TRUE(emulated({0xe8, 0, 0, 0}));     // call rel32
  EXPECT_TRUE(emulated({0x74, 0x05}));        // je rel8
  EXPECT_TRUE(emulated({0x0f, 0x84, 1, 2}));  // je rel32
}

TEST(ProbeSite, WhatItSingleSteps) {
  EXPECT_FALSE(emulated({0x48, 0x8d, 0x04, 0x7f}));  // lea (hot_loop's hot_step)
  EXPECT_FALSE(emulated({0x48, 0x83, 0xec, 0x28}));  // sub $0x28,%rsp
  EXPECT_FALSE(emulated({0xf3, 0x0f, 0x1e, 0xfa}));  // endbr64 itself (probes go past it)
  EXPECT_FALSE(emulated({}));                         // unknown: charged as the dear case
  EXPECT_GT(classify_probe_site(std::vector<uint8_t>{0x48, 0x8d}).hit_cost_us,
            10 * classify_probe_site(std::vector<uint8_t>{0x55}).hit_cost_us);
}

}  // namespace
}  // namespace bpfpads
