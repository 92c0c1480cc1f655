#include <gtest/gtest.h>

#include <cerrno>

#include "setup/bounded_text.h"
#include "setup/setup_text.h"

namespace bpfpads {
namespace {

TEST(SetupText, ShellQuoteLeavesPlainWordsAlone) {
  EXPECT_EQ(shell_quote("train.py"), "train.py");
  EXPECT_EQ(shell_quote("--lr=0.1"), "--lr=0.1");
  EXPECT_EQ(shell_quote("/usr/bin/python3"), "/usr/bin/python3");
  EXPECT_EQ(shell_quote("user@host:1,2"), "user@host:1,2");
}

TEST(SetupText, ShellQuoteQuotesWhatTheShellWouldInterpret) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("my run"), "'my run'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote("*.csv"), "'*.csv'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("a\nb"), "'a\nb'");
}

TEST(SetupText, JoinCommandLine) {
  EXPECT_EQ(join_command_line({"python3", "train.py", "--name", "my run", ""}),
            "python3 train.py --name 'my run' ''");
  EXPECT_EQ(join_command_line({}), "");
}

TEST(SetupText, StripUrlCredentials) {
  EXPECT_EQ(strip_url_credentials("https://user:secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git");
  EXPECT_EQ(strip_url_credentials("https://ghp_token123@github.com/org/repo"),
            "https://github.com/org/repo");
  EXPECT_EQ(strip_url_credentials("http://u:p@ss@example.com:8080/x"),
            "http://example.com:8080/x");
  EXPECT_EQ(strip_url_credentials("ssh://me:pw@host/repo.git"), "ssh://host/repo.git");
  // Not credentials: an ssh login, an '@' in the path, no authority at all.
  EXPECT_EQ(strip_url_credentials("ssh://git@github.com/org/repo.git"),
            "ssh://git@github.com/org/repo.git");
  EXPECT_EQ(strip_url_credentials("git@github.com:org/repo.git"), "git@github.com:org/repo.git");
  EXPECT_EQ(strip_url_credentials("https://example.com/a@b"), "https://example.com/a@b");
  EXPECT_EQ(strip_url_credentials("https://example.com"), "https://example.com");
  EXPECT_EQ(strip_url_credentials("/srv/git/repo.git"), "/srv/git/repo.git");
  EXPECT_EQ(strip_url_credentials("https://user:pw@example.com"), "https://example.com");
}

TEST(SetupText, FormatsMegabytesAsMlflowDoes) {
  EXPECT_EQ(format_mb(16710123520ULL), "16710.1");
  EXPECT_EQ(format_mb(0), "0.0");
  EXPECT_EQ(format_mb(1'000'000), "1.0");
  EXPECT_EQ(format_decimal(2394.374), "2394.4");
  EXPECT_EQ(format_decimal(3300), "3300.0");
}

TEST(SetupText, Trim) {
  EXPECT_EQ(trim("  a b \n"), "a b");
  EXPECT_EQ(trim(" \t\n"), "");
  EXPECT_EQ(trim(""), "");
}

TEST(SetupText, FormatInterfaceAddresses) {
  EXPECT_EQ(format_interface_addresses({{"eth0", "10.0.0.2"}, {"eth0", "fd00::1"}, {"wg0", "10.8.0.1"}}),
            "eth0=10.0.0.2,eth0=fd00::1,wg0=10.8.0.1");
  EXPECT_EQ(format_interface_addresses({}), "");
}

TEST(SetupText, ReadTextFileReportsPathAndErrno) {
  auto text = read_text_file("/nonexistent/bpfpads/file");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().err_no, ENOENT);
  EXPECT_EQ(text.error().context, "/nonexistent/bpfpads/file");
}

TEST(SetupText, ReadTextFileReadsProcFilesWithZeroSize) {
  auto text = read_text_file("/proc/self/status");
  ASSERT_TRUE(text.has_value()) << text.error().describe();
  EXPECT_NE(text->find("Pid:"), std::string::npos);
}

TEST(SetupText, ReadTextFileStopsAtTheLimit) {
  auto text = read_text_file("/proc/self/status", 10);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->size(), 10u);
}

TEST(SetupText, BoundedTextUnderTheLimitIsUnchanged) {
  BoundedText text(100);
  text.append("line 1\n");
  text.append("line 2\n");
  EXPECT_FALSE(text.truncated());
  EXPECT_EQ(std::move(text).finish(), "line 1\nline 2\n");
}

TEST(SetupText, BoundedTextCutsAtALineAndSaysHowMuch) {
  BoundedText text(150);
  std::string all;
  for (int i = 10; i < 40; ++i) {  // 30 lines of 8 bytes
    std::string line = "line " + std::to_string(i) + "\n";
    all += line;
    text.append(line);
  }
  ASSERT_TRUE(text.truncated());
  EXPECT_EQ(text.total_bytes(), 240u);
  std::string result = std::move(text).finish();
  EXPECT_LE(result.size(), 150u);
  // 150 - 64 reserved = 86 bytes, cut back to a line end: 10 lines = 80 bytes kept.
  EXPECT_EQ(result, all.substr(0, 80) + "[bpfpads: 160 bytes cut]\n");
}

TEST(SetupText, BoundedTextCutsALineWithoutNewline) {
  BoundedText text(100);
  text.append(std::string(300, 'x'));
  std::string result = std::move(text).finish();
  EXPECT_EQ(result, std::string(36, 'x') + "\n[bpfpads: 264 bytes cut]\n");
}

}  // namespace
}  // namespace bpfpads
