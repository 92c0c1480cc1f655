#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>

#include <cstring>
#include <string>
#include <vector>

#include "hooks/library_watch.h"

namespace bpfpads {
namespace {

TEST(LibraryWatchConfig, KeepsTargetNamesInOrder) {
  auto c = lib_watch_config({"libxgboost.so", "lib_lightgbm"}, false);
  EXPECT_EQ(c.match_all, 0u);
  ASSERT_EQ(c.nnames, 2u);
  EXPECT_STREQ(c.names[0], "libxgboost.so");
  EXPECT_STREQ(c.names[1], "lib_lightgbm");
}

TEST(LibraryWatchConfig, NewProgramsStopOnlyForExecutableTargets) {
  EXPECT_EQ(lib_watch_config({"libxgboost.so"}, false).new_programs, 0u);
  auto c = lib_watch_config({"libxgboost.so"}, false, true);
  EXPECT_EQ(c.new_programs, 1u);
  EXPECT_EQ(c.match_all, 0u);  // objects mapped later still stop only for a target
}

TEST(LibraryWatchConfig, WhatBpfCannotCompareStopsAtEveryNewObject) {
  EXPECT_EQ(lib_watch_config({"libfoo"}, true).match_all, 1u);
  EXPECT_EQ(lib_watch_config({"libfoo", ""}, false).match_all, 1u);
  EXPECT_EQ(lib_watch_config({std::string(BP_LIB_WATCH_NAME_MAX, 'x')}, false).match_all, 1u);
  EXPECT_EQ(lib_watch_config(std::vector<std::string>(BP_LIB_WATCH_NAMES + 1, "lib"), false).match_all, 1u);
  // Longest name that fits, with its NUL.
  auto c = lib_watch_config({std::string(BP_LIB_WATCH_NAME_MAX - 1, 'y')}, false);
  EXPECT_EQ(c.match_all, 0u);
  EXPECT_EQ(std::strlen(c.names[0]), BP_LIB_WATCH_NAME_MAX - 1u);
}

TEST(LoaderDebugSymbols, FindsRDebugRelativeToDlDebugState) {
  // The system's loader; glibc exports both symbols.
  // This process's own loader: the BPF side adds the delta to the probed address and
  // must land on the live r_debug, the one DT_DEBUG of the executable points to.
  auto s = loader_debug_symbols("/lib64/ld-linux-x86-64.so.2");
  ASSERT_TRUE(s) << s.error().describe();
  const r_debug* live = nullptr;
  for (const ElfW(Dyn)* d = _DYNAMIC; d->d_tag != DT_NULL; ++d)
    if (d->d_tag == DT_DEBUG) live = reinterpret_cast<const r_debug*>(d->d_un.d_ptr);
  ASSERT_NE(live, nullptr);
  auto state = reinterpret_cast<uintptr_t>(live) - s->r_debug_delta;
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(state), &info), 0);
  EXPECT_STREQ(info.dli_sname, "_dl_debug_state");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(info.dli_saddr), state);
  EXPECT_EQ(s->page_offset, state & 0xfff);
  EXPECT_EQ(live->r_state, r_debug::RT_CONSISTENT);
  ASSERT_NE(live->r_map, nullptr);
  EXPECT_EQ(live->r_map->l_prev, nullptr);  // the head of the list: the program itself
}

TEST(LoaderDebugSymbols, ANonLoaderSaysWhatIsMissing) {
  auto s = loader_debug_symbols("/bin/true");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().describe().find("_r_debug"), std::string::npos);
}

}  // namespace
}  // namespace bpfpads
