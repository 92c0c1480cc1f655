#include "run/store_ownership.h"

#include <unistd.h>

#include "common/log.h"

namespace bpfpads {
namespace {

void chown_tree(const std::filesystem::path& root, uid_t uid, gid_t gid) {
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return;
  if (lchown(root.c_str(), uid, gid) != 0) log::debug("chown " + root.string() + " failed");
  if (!std::filesystem::is_directory(root, ec)) return;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (lchown(it->path().c_str(), uid, gid) != 0) log::debug("chown " + it->path().string() + " failed");
}

}  // namespace

StoreOwnership StoreOwnership::before_run(const StoreLocation& location) {
  StoreOwnership o;
  std::vector<std::filesystem::path> candidates;
  if (location.kind == StoreLocation::Kind::Sqlite) {
    candidates = {location.path, location.path.parent_path() / "mlruns"};
  } else {
    candidates = {location.path};
  }
  std::error_code ec;
  for (const auto& p : candidates)
    if (!std::filesystem::exists(p, ec)) o.created_.push_back(p);
  return o;
}

void StoreOwnership::give_to(uid_t uid, gid_t gid, const RunInfo& run) const {
  for (const auto& p : created_) chown_tree(p, uid, gid);
  // The run's folder (<experiment>/<run_id>) is new in any case.
  if (auto dir = artifact_uri_to_path(run.artifact_uri)) chown_tree(dir->parent_path(), uid, gid);
}

}  // namespace bpfpads
