#include "setup/git_setup.h"

#include <git2.h>

#include <memory>
#include <optional>

#include "common/log.h"
#include "setup/bounded_text.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

// libgit2 is reference counted: init/shutdown pairs may nest with other users.
class GitLibrary {
 public:
  GitLibrary() : rc_(git_libgit2_init()) {}
  ~GitLibrary() {
    if (rc_ >= 0) git_libgit2_shutdown();
  }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
  bool ok() const { return rc_ >= 0; }

 private:
  int rc_;
};

template <auto Free>
struct GitDeleter {
  void operator()(auto* object) const { Free(object); }
};
using RepositoryPtr = std::unique_ptr<git_repository, GitDeleter<git_repository_free>>;
using ReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object_free>>;
using TreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote_free>>;
using StatusListPtr = std::unique_ptr<git_status_list, GitDeleter<git_status_list_free>>;
using DiffPtr = std::unique_ptr<git_diff, GitDeleter<git_diff_free>>;
using DescribePtr =
    std::unique_ptr<git_describe_result, GitDeleter<git_describe_result_free>>;

struct StrarrayGuard {
  git_strarray array{};
  ~StrarrayGuard() { git_strarray_dispose(&array); }
};
struct BufGuard {
  git_buf buf{};
  ~BufGuard() { git_buf_dispose(&buf); }
};

std::unexpected<Error> git_failure(const std::string& what, int rc, const std::string& context) {
  const git_error* last = git_error_last();
  std::string message = what + ": " + (last && last->message ? last->message
                                                             : "libgit2 error " + std::to_string(rc));
  return make_error(std::move(message), context);
}

std::string oid_hex(const git_oid* oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, oid);
  return hex;
}

// The URL of "origin", else of the first remote; nullopt without remotes.
std::optional<std::string> remote_url(git_repository* repo) {
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo, "origin") != 0) {
    StrarrayGuard names;
    if (git_remote_list(&names.array, repo) != 0 || names.array.count == 0) return std::nullopt;
    if (git_remote_lookup(&raw, repo, names.array.strings[0]) != 0) return std::nullopt;
  }
  RemotePtr remote(raw);
  const char* url = git_remote_url(remote.get());
  if (!url) return std::nullopt;
  return strip_url_credentials(url);
}

Result<bool> is_dirty(git_repository* repo, const std::string& where) {
  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  // Untracked (not ignored) files count, as in `git status`; a directory of them
  // is enough to know, no need to walk into it.
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
  git_status_list* raw = nullptr;
  if (int rc = git_status_list_new(&raw, repo, &opts); rc != 0)
    return git_failure("cannot read the status", rc, where);
  StatusListPtr status(raw);
  return git_status_list_entrycount(status.get()) > 0;
}

int append_diff_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line,
                     void* payload) {
  auto* text = static_cast<BoundedText*>(payload);
  try {
    // Content lines come without their +/-/space marker; headers carry their own text.
    if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
        line->origin == GIT_DIFF_LINE_DELETION)
      text->append(std::string_view(&line->origin, 1));
    text->append(std::string_view(line->content, line->content_len));
  } catch (...) {
    return -1;  // no exception may cross libgit2's C frames
  }
  return 0;
}

// Working tree and index against HEAD, as `git diff HEAD` prints it.
Result<BoundedText> uncommitted_diff(git_repository* repo, git_tree* head_tree,
                                     std::size_t limit, const std::string& where) {
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  git_diff* raw = nullptr;
  if (int rc = git_diff_tree_to_workdir_with_index(&raw, repo, head_tree, &opts); rc != 0)
    return git_failure("cannot diff against HEAD", rc, where);
  DiffPtr diff(raw);
  BoundedText text(limit);
  if (int rc = git_diff_print(diff.get(), GIT_DIFF_FORMAT_PATCH, append_diff_line, &text); rc != 0)
    return git_failure("cannot print the diff", rc, where);
  return text;
}

// The nearest tag, lightweight ones included (`git describe --tags`).
std::optional<std::string> describe(git_object* commit) {
  git_describe_options opts;
  git_describe_options_init(&opts, GIT_DESCRIBE_OPTIONS_VERSION);
  opts.describe_strategy = GIT_DESCRIBE_TAGS;
  git_describe_result* raw = nullptr;
  if (git_describe_commit(&raw, commit, &opts) != 0) return std::nullopt;
  DescribePtr result(raw);
  git_describe_format_options format;
  git_describe_format_options_init(&format, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
  BufGuard buf;
  if (git_describe_format(&buf.buf, result.get(), &format) != 0) return std::nullopt;
  return std::string(buf.buf.ptr, buf.buf.size);
}

// The branch HEAD points to in a repository without commits.
std::optional<std::string> unborn_branch(git_repository* repo) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") != 0) return std::nullopt;
  ReferencePtr head(raw);
  const char* target = git_reference_symbolic_target(head.get());
  if (!target) return std::nullopt;
  std::string_view name = target;
  constexpr std::string_view kHeads = "refs/heads/";
  if (name.starts_with(kHeads)) name.remove_prefix(kHeads.size());
  return std::string(name);
}

class GitSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "git"; }
  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    return collect_git_info(ctx, out);
  }
};

}  // namespace

Result<> collect_git_info(const SetupContext& ctx, SetupOutput& out, std::size_t diff_limit) {
  if (ctx.cwd.empty()) return make_error("no working directory to look at");
  AsFsIdentity as_caller(ctx.file_identity);
  if (!as_caller.ok()) return make_error("cannot read the repository as the invoking user", ctx.cwd.string());
  GitLibrary library;
  if (!library.ok()) return git_failure("cannot initialise libgit2", -1, "");
  // Under sudo the repository belongs to the caller, not root; libgit2 would refuse
  // it like git's safe.directory. We only read, so the check buys nothing here.
  git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);

  const std::string where = ctx.cwd.string();
  git_repository* raw_repo = nullptr;
  int rc = git_repository_open_ext(&raw_repo, ctx.cwd.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) {
    log::debug("setup git: " + where + " is not in a git repository");
    return {};
  }
  if (rc != 0) return git_failure("cannot open the repository", rc, where);
  RepositoryPtr repo(raw_repo);

  ObjectPtr commit;
  git_reference* raw_head = nullptr;
  rc = git_repository_head(&raw_head, repo.get());
  if (rc == GIT_EUNBORNBRANCH) {
    // No commit yet: a branch, but nothing to name as the source.
    if (auto branch = unborn_branch(repo.get()))
      out.tags.push_back({"mlflow.source.git.branch", *branch});
  } else if (rc != 0) {
    return git_failure("cannot resolve HEAD", rc, where);
  } else {
    ReferencePtr head(raw_head);
    git_object* raw_commit = nullptr;
    if (int prc = git_reference_peel(&raw_commit, head.get(), GIT_OBJECT_COMMIT); prc != 0)
      return git_failure("HEAD is not a commit", prc, where);
    commit.reset(raw_commit);
    out.tags.push_back({"mlflow.source.git.commit", oid_hex(git_object_id(commit.get()))});
    if (git_repository_head_detached(repo.get()) == 1)
      out.tags.push_back({"bpfpads.git.detached", "true"});
    else
      out.tags.push_back({"mlflow.source.git.branch", git_reference_shorthand(head.get())});
  }

  if (auto url = remote_url(repo.get())) out.tags.push_back({"mlflow.source.git.repoURL", *url});
  if (commit) {
    if (auto description = describe(commit.get()))
      out.tags.push_back({"bpfpads.git.describe", *description});
  }

  if (git_repository_is_bare(repo.get())) return {};  // no working tree to be dirty
  auto dirty = is_dirty(repo.get(), where);
  if (!dirty) return std::unexpected(dirty.error());
  out.tags.push_back({"mlflow.source.git.dirty", *dirty ? "true" : "false"});
  if (!*dirty) return {};

  TreePtr head_tree;
  if (commit) {
    git_tree* raw_tree = nullptr;
    if (int trc = git_commit_tree(&raw_tree, reinterpret_cast<git_commit*>(commit.get())); trc != 0)
      return git_failure("cannot read the HEAD tree", trc, where);
    head_tree.reset(raw_tree);
  }
  auto diff = uncommitted_diff(repo.get(), head_tree.get(), diff_limit, where);
  if (!diff) return std::unexpected(diff.error());
  // Only untracked files make it dirty without a patch: `git diff HEAD` is empty too.
  if (diff->total_bytes() == 0) return {};
  bool truncated = diff->truncated();
  out.artifacts.push_back({"bpfpads/git.diff", std::move(*diff).finish()});
  if (truncated) out.tags.push_back({"bpfpads.git.diff_truncated", "true"});
  return {};
}

BPFPADS_REGISTER_SETUP_FUNCTION(GitSetup);

}  // namespace bpfpads
