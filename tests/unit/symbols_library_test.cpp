#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "symbols/library_locator.h"

namespace bpfpads {
namespace {

namespace fs = std::filesystem;

TEST(LibraryLocator, ParsesProcMaps) {
  auto maps = parse_proc_maps(
      "55d0c8a00000-55d0c8a02000 r--p 00000000 08:01 1234                       /usr/bin/cat\n"
      "55d0c8a02000-55d0c8a07000 r-xp 00002000 08:01 1234                       /usr/bin/cat\n"
      "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
      "7f0000001000-7f0000002000 r-xp 00000000 00:05 77   /tmp/my lib.so (deleted)\n"
      "7ffc1000-7ffc2000 rw-p 00000000 00:00 0                          [stack]\n");
  ASSERT_EQ(maps.size(), 5u);
  EXPECT_EQ(maps[1].start, 0x55d0c8a02000u);
  EXPECT_EQ(maps[1].end, 0x55d0c8a07000u);
  EXPECT_EQ(maps[1].perms, "r-xp");
  EXPECT_EQ(maps[1].offset, 0x2000u);
  EXPECT_EQ(maps[1].inode, 1234u);
  EXPECT_EQ(maps[1].path, "/usr/bin/cat");
  EXPECT_EQ(maps[2].path, "");
  EXPECT_EQ(maps[3].path, "/tmp/my lib.so (deleted)");
  EXPECT_EQ(maps[4].path, "[stack]");
}

TEST(LibraryLocator, NameAndGlobRules) {
  EXPECT_TRUE(library_matches("libxgboost", "/opt/x/libxgboost.so", ""));
  EXPECT_TRUE(library_matches("libxgboost.so", "/opt/x/libxgboost.so", ""));
  EXPECT_TRUE(library_matches("libtorch", "/x/whatever.so", "libtorch_cpu.so"));
  EXPECT_FALSE(library_matches("xgboost", "/opt/libxgboost.so", "libxgboost.so"));  // prefix only
  EXPECT_FALSE(library_matches("libfoo", "/libfoo/bar.so", ""));  // the file name, not the dir
  EXPECT_FALSE(library_matches("", "/lib/libc.so.6", "libc.so.6"));

  EXPECT_TRUE(exe_matches("python3*", "/usr/bin/python3.11"));
  EXPECT_FALSE(exe_matches("python2*", "/usr/bin/python3.11"));
  EXPECT_TRUE(exe_matches("/usr/bin/py*", "/usr/bin/python3.11"));
  EXPECT_FALSE(exe_matches("/opt/*/python3.11", "/usr/bin/python3.11"));
  EXPECT_TRUE(exe_matches("*/bin/python3.11", "/usr/bin/python3.11"));
}

TEST(LibraryLocator, ReadsSoname) {
  EXPECT_EQ(read_soname(BPFPADS_SYM_TESTLIB), "libbpfpads_testlib.so.1");
  EXPECT_EQ(read_soname(BPFPADS_SYM_CPP), "");
  EXPECT_EQ(read_soname("/nonexistent"), "");
}

TEST(LibraryLocator, MappedFilesOfThisProcess) {
  void* h = dlopen(BPFPADS_SYM_TESTLIB, RTLD_NOW);
  ASSERT_TRUE(h) << dlerror();
  auto files = mapped_elf_files(getpid());
  ASSERT_TRUE(files) << files.error().describe();
  auto exe = process_executable(getpid());
  ASSERT_TRUE(exe);
  bool saw_exe = false, saw_libc = false;
  for (const auto& f : *files) {
    saw_exe = saw_exe || f.path == *exe;
    saw_libc = saw_libc || f.path.find("/libc.so") != std::string::npos;
    EXPECT_TRUE(f.open_path.starts_with("/proc/" + std::to_string(getpid()) + "/root/")) << f.open_path;
    EXPECT_TRUE(f.map_files_path.find("/map_files/") != std::string::npos);
    EXPECT_TRUE(fs::exists(f.open_path)) << f.open_path;
  }
  EXPECT_TRUE(saw_exe);
  EXPECT_TRUE(saw_libc);

  auto lib = find_mapped_library(getpid(), "libbpfpads_testlib");
  ASSERT_TRUE(lib);
  ASSERT_EQ(lib->size(), 1u);
  EXPECT_EQ(fs::canonical((*lib)[0].path), fs::canonical(BPFPADS_SYM_TESTLIB));
  EXPECT_TRUE(find_mapped_library(getpid(), "libnot_mapped_here")->empty());
  dlclose(h);

  EXPECT_FALSE(mapped_elf_files(999999999));
}

TEST(LibraryLocator, FindsLibraryThroughNeededAndRunpath) {
  auto found = find_library("libbpfpads_testlib", BPFPADS_SYM_CPP);
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_EQ(fs::canonical(found->front()), fs::canonical(BPFPADS_SYM_TESTLIB));
  EXPECT_EQ(fs::path(found->front()).filename(), "libbpfpads_testlib.so.1");  // the DT_NEEDED name
  EXPECT_EQ(found->size(), 1u);  // the .so symlink is the same file
}

TEST(LibraryLocator, FindsSystemLibraryInStandardDirs) {
  auto libc = find_library("libc.so");
  ASSERT_TRUE(libc) << libc.error().describe();
  // /usr/lib/<arch>/libc.so is a linker script: skipped; libc.so.6 is ELF.
  for (const auto& p : *libc) EXPECT_NE(fs::path(p).filename(), "libc.so") << p;
  bool saw = false;
  for (const auto& p : *libc) saw = saw || fs::path(p).filename() == "libc.so.6";
  EXPECT_TRUE(saw);

  auto none = find_library("libbpfpads_no_such_library");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().describe().find("libbpfpads_no_such_library"), std::string::npos);
}

TEST(LibraryLocator, SysrootForContainers) {
  fs::path root = fs::path(::testing::TempDir()) / ("bpfpads_sysroot_" + std::to_string(getpid()));
  auto dirs = standard_library_dirs(root.string());
  ASSERT_FALSE(dirs.empty());
  fs::create_directories(root / "usr/lib");
  fs::copy_file(BPFPADS_SYM_TESTLIB, root / "usr/lib/libbpfpads_fake.so.3",
                fs::copy_options::overwrite_existing);
  auto found = find_library("libbpfpads_fake", "", root.string());
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_EQ(found->front(), (root / "usr/lib/libbpfpads_fake.so.3").string());
  EXPECT_FALSE(find_library("libbpfpads_fake"));  // not on the host
  fs::remove_all(root);
}

}  // namespace
}  // namespace bpfpads
