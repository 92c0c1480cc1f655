// The git setup function against real repositories built here with libgit2.
#include <git2.h>
#include <gtest/gtest.h>

#include <fstream>

#include "setup/git_setup.h"
#include "setup_test_util.h"

namespace bpfpads {
namespace {

using setup_test::find_tag;
using setup_test::Pairs;
using setup_test::tag_pairs;
using setup_test::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A repository on branch "main", built with libgit2's plumbing so the test
// needs no git binary and no user configuration.
class TestRepo {
 public:
  explicit TestRepo(const std::filesystem::path& dir) : dir_(dir) {
    git_libgit2_init();
    git_repository_init_options opts;
    git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    opts.flags = GIT_REPOSITORY_INIT_MKPATH;
    opts.initial_head = "main";
    check(git_repository_init_ext(&repo_, dir.c_str(), &opts), "init");
  }
  ~TestRepo() {
    git_repository_free(repo_);
    git_libgit2_shutdown();
  }
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  // Stages `files` (paths relative to the work tree) and commits; returns the hex id.
  std::string commit(const std::vector<std::string>& files, const std::string& message) {
    stage(files);
    git_index* index = nullptr;
    check(git_repository_index(&index, repo_), "index");
    git_oid tree_id, commit_id;
    check(git_index_write_tree(&tree_id, index), "write tree");
    git_index_free(index);
    git_tree* tree = nullptr;
    check(git_tree_lookup(&tree, repo_, &tree_id), "tree lookup");
    git_signature* sig = nullptr;
    check(git_signature_new(&sig, "Test", "test@example.org", 1700000000, 0), "signature");
    git_commit* parent = nullptr;
    git_oid parent_id;
    bool has_parent = git_reference_name_to_id(&parent_id, repo_, "HEAD") == 0;
    if (has_parent) check(git_commit_lookup(&parent, repo_, &parent_id), "parent");
    const git_commit* parents[] = {parent};
    check(git_commit_create(&commit_id, repo_, "HEAD", sig, sig, nullptr, message.c_str(), tree,
                            has_parent ? 1 : 0, parents),
          "commit");
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &commit_id);
    return hex;
  }

  void stage(const std::vector<std::string>& files) {
    git_index* index = nullptr;
    check(git_repository_index(&index, repo_), "index");
    for (const auto& file : files) check(git_index_add_bypath(index, file.c_str()), file.c_str());
    check(git_index_write(index), "index write");
    git_index_free(index);
  }

  void add_remote(const char* name, const char* url) {
    git_remote* remote = nullptr;
    check(git_remote_create(&remote, repo_, name, url), "remote");
    git_remote_free(remote);
  }

  void tag_head(const char* name) {
    git_object* head = nullptr;
    check(git_revparse_single(&head, repo_, "HEAD"), "rev-parse");
    git_oid id;
    check(git_tag_create_lightweight(&id, repo_, name, head, 0), "tag");
    git_object_free(head);
  }

  void detach_head() {
    git_oid head;
    check(git_reference_name_to_id(&head, repo_, "HEAD"), "HEAD");
    check(git_repository_set_head_detached(repo_, &head), "detach");
  }

  const std::filesystem::path& dir() const { return dir_; }

 private:
  static void check(int rc, const char* what) {
    if (rc != 0) {
      const git_error* e = git_error_last();
      ADD_FAILURE() << what << ": " << (e ? e->message : "?");
    }
  }
  std::filesystem::path dir_;
  git_repository* repo_ = nullptr;
};

SetupOutput collect_at(const std::filesystem::path& cwd, std::size_t limit = kGitDiffLimit) {
  SetupContext ctx;
  ctx.cwd = cwd;
  SetupOutput out;
  auto result = collect_git_info(ctx, out, limit);
  EXPECT_TRUE(result.has_value()) << result.error().describe();
  return out;
}

class SetupGit : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::filesystem::path work_ = tmp_.path() / "work";
};

TEST_F(SetupGit, CleanRepository) {
  TestRepo repo(work_);
  write_file(work_ / "hello.txt", "hello\n");
  std::string commit = repo.commit({"hello.txt"}, "first");
  repo.add_remote("origin", "https://alice:s3cret@example.com/org/repo.git");
  repo.tag_head("v1.0");

  auto out = collect_at(work_);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"mlflow.source.git.commit", commit},
                                     {"mlflow.source.git.branch", "main"},
                                     {"mlflow.source.git.repoURL", "https://example.com/org/repo.git"},
                                     {"bpfpads.git.describe", "v1.0"},
                                     {"mlflow.source.git.dirty", "false"},
                                 }));
  EXPECT_TRUE(out.artifacts.empty());
  EXPECT_EQ(commit.size(), 40u);
}

TEST_F(SetupGit, ModifiedAndStagedFilesGiveADiff) {
  TestRepo repo(work_);
  write_file(work_ / "hello.txt", "hello\n");
  write_file(work_ / ".gitignore", "*.log\n");
  repo.commit({"hello.txt", ".gitignore"}, "first");
  write_file(work_ / "hello.txt", "hello world\n");  // modified, not staged
  write_file(work_ / "new.txt", "new\n");
  repo.stage({"new.txt"});                            // staged, not committed
  write_file(work_ / "run.log", "ignored\n");

  auto out = collect_at(work_);
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.dirty"), "true");
  EXPECT_EQ(find_tag(out.tags, "bpfpads.git.diff_truncated"), nullptr);
  ASSERT_EQ(out.artifacts.size(), 1u);
  EXPECT_EQ(out.artifacts[0].rel_path, "bpfpads/git.diff");
  const std::string& diff = out.artifacts[0].bytes;
  EXPECT_TRUE(diff.starts_with("diff --git a/hello.txt b/hello.txt\n")) << diff;
  EXPECT_NE(diff.find("--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-hello\n+hello world\n"),
            std::string::npos)
      << diff;
  EXPECT_NE(diff.find("diff --git a/new.txt b/new.txt\nnew file mode 100644\n"), std::string::npos)
      << diff;
  EXPECT_NE(diff.find("--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+new\n"), std::string::npos)
      << diff;
  EXPECT_EQ(diff.find("run.log"), std::string::npos);
}

TEST_F(SetupGit, IgnoredFilesAreClean) {
  TestRepo repo(work_);
  write_file(work_ / ".gitignore", "*.log\nout/\n");
  repo.commit({".gitignore"}, "first");
  write_file(work_ / "run.log", "x\n");
  write_file(work_ / "out" / "model.bin", "x\n");
  auto out = collect_at(work_);
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.dirty"), "false");
  EXPECT_TRUE(out.artifacts.empty());
}

TEST_F(SetupGit, UntrackedFileIsDirtyWithoutAPatch) {
  TestRepo repo(work_);
  write_file(work_ / "a.txt", "a\n");
  repo.commit({"a.txt"}, "first");
  write_file(work_ / "data" / "new.csv", "1,2\n");
  auto out = collect_at(work_);
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.dirty"), "true");
  EXPECT_TRUE(out.artifacts.empty());  // `git diff HEAD` shows nothing either
}

TEST_F(SetupGit, DiscoversTheRepositoryFromASubdirectory) {
  TestRepo repo(work_);
  write_file(work_ / "src" / "deep" / "train.py", "print(1)\n");
  std::string commit = repo.commit({"src/deep/train.py"}, "first");
  auto out = collect_at(work_ / "src" / "deep");
  ASSERT_NE(find_tag(out.tags, "mlflow.source.git.commit"), nullptr);
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.commit"), commit);
}

TEST_F(SetupGit, DetachedHeadHasNoBranch) {
  TestRepo repo(work_);
  write_file(work_ / "a.txt", "a\n");
  repo.commit({"a.txt"}, "first");
  repo.tag_head("v0.1");
  write_file(work_ / "a.txt", "b\n");
  std::string second = repo.commit({"a.txt"}, "second");
  repo.detach_head();
  auto out = collect_at(work_);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"mlflow.source.git.commit", second},
                                     {"bpfpads.git.detached", "true"},
                                     {"bpfpads.git.describe", "v0.1-1-g" + second.substr(0, 7)},
                                     {"mlflow.source.git.dirty", "false"},
                                 }));
}

TEST_F(SetupGit, FirstRemoteWithoutOriginKeepsSshLogin) {
  TestRepo repo(work_);
  write_file(work_ / "a.txt", "a\n");
  repo.commit({"a.txt"}, "first");
  repo.add_remote("upstream", "ssh://git@example.com/org/repo.git");
  auto out = collect_at(work_);
  ASSERT_NE(find_tag(out.tags, "mlflow.source.git.repoURL"), nullptr);
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.repoURL"), "ssh://git@example.com/org/repo.git");
}

TEST_F(SetupGit, RepositoryWithoutCommits) {
  TestRepo repo(work_);
  write_file(work_ / "a.txt", "a\n");
  repo.stage({"a.txt"});
  auto out = collect_at(work_);
  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"mlflow.source.git.branch", "main"},
                                     {"mlflow.source.git.dirty", "true"},
                                 }));
  ASSERT_EQ(out.artifacts.size(), 1u);
  EXPECT_NE(out.artifacts[0].bytes.find("+++ b/a.txt\n@@ -0,0 +1 @@\n+a\n"), std::string::npos);
}

TEST_F(SetupGit, LargeDiffIsCutAndTagged) {
  TestRepo repo(work_);
  write_file(work_ / "big.txt", "start\n");
  repo.commit({"big.txt"}, "first");
  std::string big;
  for (int i = 0; i < 1000; ++i) big += "line " + std::to_string(i) + "\n";
  write_file(work_ / "big.txt", big);

  auto full = collect_at(work_);
  ASSERT_EQ(full.artifacts.size(), 1u);
  std::size_t full_size = full.artifacts[0].bytes.size();

  auto out = collect_at(work_, 1000);
  EXPECT_EQ(*find_tag(out.tags, "bpfpads.git.diff_truncated"), "true");
  ASSERT_EQ(out.artifacts.size(), 1u);
  const std::string& diff = out.artifacts[0].bytes;
  EXPECT_LE(diff.size(), 1000u);
  auto note = diff.rfind("[bpfpads: ");
  ASSERT_NE(note, std::string::npos);
  std::size_t cut = std::stoul(diff.substr(note + 10));
  EXPECT_EQ(note + cut, full_size);  // kept bytes + cut bytes = the whole patch
  EXPECT_TRUE(diff.ends_with(" bytes cut]\n"));
  EXPECT_EQ(full.artifacts[0].bytes.substr(0, note), diff.substr(0, note));
}

TEST_F(SetupGit, NotARepositoryAddsNothing) {
  std::filesystem::create_directories(work_);
  auto out = collect_at(work_);
  EXPECT_TRUE(out.tags.empty());
  EXPECT_TRUE(out.artifacts.empty());
}

TEST_F(SetupGit, RegisteredAsGit) {
  TestRepo repo(work_);
  write_file(work_ / "a.txt", "a\n");
  std::string commit = repo.commit({"a.txt"}, "first");
  auto function = setup_test::make_setup("git");
  ASSERT_NE(function, nullptr);
  SetupContext ctx;
  ctx.cwd = work_;
  SetupOutput out;
  ASSERT_TRUE(function->collect(ctx, out).has_value());
  EXPECT_EQ(*find_tag(out.tags, "mlflow.source.git.commit"), commit);
}

}  // namespace
}  // namespace bpfpads
