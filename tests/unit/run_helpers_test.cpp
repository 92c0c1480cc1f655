#include <gtest/gtest.h>
#include <sys/wait.h>

#include "run/held_child.h"
#include "run/output_tail.h"
#include "run/process_scan.h"

namespace bpfpads {
namespace {

TEST(ProcessScan, PpidParsingSurvivesOddCommandNames) {
  EXPECT_EQ(parse_stat_ppid("123 (a) b) c) S 45 123 123 0"), 45);
  EXPECT_EQ(parse_stat_ppid("1 (systemd) S 0 1 1"), 0);
  EXPECT_FALSE(parse_stat_ppid("garbage"));
}

TEST(ProcessScan, DescendantsAreFoundThroughEveryGeneration) {
  std::vector<ProcessEntry> table = {{1, 0}, {10, 1}, {11, 10}, {12, 11}, {13, 10}, {20, 1}};
  auto d = descendants_of(10, table);
  std::sort(d.begin(), d.end());
  EXPECT_EQ(d, (std::vector<pid_t>{11, 12, 13}));
  EXPECT_TRUE(descendants_of(20, table).empty());
}

TEST(OutputTail, KeepsTheLastBytesAndSaysWhatWasDropped) {
  OutputTail tail(8);
  tail.append("hello ", false);
  EXPECT_EQ(tail.text(), "hello ");
  tail.append("world!", false);
  EXPECT_EQ(tail.dropped_bytes(), 4u);
  EXPECT_NE(tail.text().find("4 bytes dropped"), std::string::npos);
  EXPECT_EQ(tail.text().substr(tail.text().size() - 8), "o world!");
  OutputTail cut(100);
  cut.append("tail", true);
  EXPECT_NE(cut.text().find("earlier output not kept"), std::string::npos);
}

TEST(OutputTail, MarksWhereAWriteWasCutAndSaysWhenRecordsWereLost) {
  OutputTail tail(1000);
  tail.append("line 1\n", false);
  tail.append("end of a long write\n", true);
  EXPECT_EQ(tail.text().substr(tail.text().find("line 1")),
            "line 1\n\n[bpfpads: the start of a long write was not kept here]\nend of a long write\n");
  EXPECT_EQ(tail.text().find("[bpfpads: incomplete"), std::string::npos);
  tail.mark_records_lost(12);
  EXPECT_EQ(tail.text().rfind("[bpfpads: incomplete: 12 records were lost", 0), 0u);
}

TEST(HeldChild, RunsOnlyAfterReleaseAndReportsExecFailure) {
  ChildOptions ok;
  ok.argv = {"true"};
  ok.take_terminal = false;
  auto child = HeldChild::spawn(ok);
  ASSERT_TRUE(child) << child.error().describe();
  int status = 0;
  EXPECT_EQ(waitpid(child->pid(), &status, WNOHANG), 0) << "the child ran before release";
  EXPECT_EQ(child->release(), 0);
  ASSERT_EQ(waitpid(child->pid(), &status, 0), child->pid());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  ChildOptions missing;
  missing.argv = {"no-such-command-bpfpads-test"};
  missing.take_terminal = false;
  auto bad = HeldChild::spawn(missing);
  ASSERT_TRUE(bad);
  int err = bad->release();
  EXPECT_EQ(err, ENOENT);
  ASSERT_EQ(waitpid(bad->pid(), &status, 0), bad->pid());
  EXPECT_EQ(WEXITSTATUS(status), 127);
  EXPECT_EQ(exec_failure_message("no-such-command-bpfpads-test", err),
            "no-such-command-bpfpads-test: command not found");
}

}  // namespace
}  // namespace bpfpads
