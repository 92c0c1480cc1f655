// Under sudo, what bpfpads creates for a run (the database, mlruns/, the run's
// artifact folder) belongs to the user who called sudo, as if they had run the job
// themselves: they can open, append to and delete it without root.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <vector>

#include "run/run_types.h"
#include "store/uri.h"

namespace bpfpads {

class StoreOwnership {
 public:
  // Notes which of the store's top-level paths exist before the run.
  static StoreOwnership before_run(const StoreLocation& location);

  // Hands the paths created since, and the run's own folder, to uid:gid.
  void give_to(uid_t uid, gid_t gid, const RunInfo& run) const;

 private:
  std::vector<std::filesystem::path> created_;  // paths that did not exist before
};

}  // namespace bpfpads
