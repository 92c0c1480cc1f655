// git: which commit of which repository the job ran from, and its uncommitted
// changes, like PyPads' IGitRSF. Read-only use of libgit2.
#pragma once

#include <cstddef>

#include "setup/setup_function.h"

namespace bpfpads {

// An artifact, not a database row: large, but a run must not upload a vendored tree.
inline constexpr std::size_t kGitDiffLimit = std::size_t{5} << 20;

// What the "git" setup function does, with the diff limit as a parameter so that
// tests can cut a small diff. Outside a repository it adds nothing and succeeds.
Result<> collect_git_info(const SetupContext& ctx, SetupOutput& out,
                          std::size_t diff_limit = kGitDiffLimit);

}  // namespace bpfpads
