#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "run/file_tail.h"

namespace bpfpads {
namespace {

// A temporary file opened like a shell's `>>` (or `>`), as the job's output.
struct OutputFile {
  explicit OutputFile(bool append) {
    char name[] = "/tmp/bpfpads_file_tail_XXXXXX";
    int tmp = mkstemp(name);
    path = name;
    EXPECT_EQ(write(tmp, "before\n", 7), 7);
    close(tmp);
    fd = open(name, O_WRONLY | (append ? O_APPEND : 0));
    if (!append) lseek(fd, 0, SEEK_END);
  }
  ~OutputFile() {
    close(fd);
    unlink(path.c_str());
  }
  void put(const std::string& s) { ASSERT_EQ(write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  std::string path;
  int fd = -1;
};

TEST(FileTail, KeepsOnlyWhatWasWrittenAfterTheMark) {
  for (bool append : {true, false}) {
    OutputFile f(append);
    auto watched = FileTail::watch(f.fd);
    ASSERT_TRUE(watched);
    f.put("bpfpads start-up\n");
    watched->mark_start();
    f.put("job line 1\njob line 2\n");
    OutputTail tail(1024);
    ASSERT_TRUE(watched->read_into(tail, 1024));
    EXPECT_EQ(tail.text(), "job line 1\njob line 2\n") << "append=" << append;
  }
}

TEST(FileTail, ReadsOnlyTheLastBytesAndMarksTheCut) {
  OutputFile f(true);
  auto watched = FileTail::watch(f.fd);
  ASSERT_TRUE(watched);
  f.put("0123456789");
  OutputTail tail(4);
  ASSERT_TRUE(watched->read_into(tail, 4));
  EXPECT_EQ(tail.text(), "[bpfpads: earlier output not kept; this is the tail]\n6789");
}

TEST(FileTail, AFileCutShorterIsReadFromItsStart) {
  OutputFile f(false);
  auto watched = FileTail::watch(f.fd);
  ASSERT_TRUE(watched);
  ASSERT_EQ(ftruncate(f.fd, 0), 0);
  ASSERT_EQ(pwrite(f.fd, "new", 3, 0), 3);
  OutputTail tail(1024);
  ASSERT_TRUE(watched->read_into(tail, 1024));
  EXPECT_EQ(tail.text(), "new");
}

TEST(FileTail, PipesAndDevNullAreNotWatched) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_FALSE(FileTail::watch(p[1]));
  EXPECT_FALSE(is_dev_null(p[1]));
  close(p[0]);
  close(p[1]);
  int null = open("/dev/null", O_WRONLY);
  EXPECT_FALSE(FileTail::watch(null));
  EXPECT_TRUE(is_dev_null(null));
  close(null);
}

}  // namespace
}  // namespace bpfpads
