#include "run/repair_command.h"

#include <cstdio>
#include <cstdlib>

#include "common/log.h"
#include "run/identity.h"
#include "run/run_repair.h"
#include "run/run_store.h"
#include "store/spool_sync.h"
#include "store/uri.h"

namespace bpfpads {

int repair_command(const std::string& tracking_uri) {
  std::string uri = tracking_uri;
  if (uri.empty())
    if (const char* env = std::getenv("MLFLOW_TRACKING_URI")) uri = env;
  std::error_code ec;
  if (!resolve_tracking_uri(uri, std::filesystem::current_path(ec))) {
    if (uri.rfind("http", 0) == 0) {
      SyncOptions sync;
      sync.tracking_uri = uri;
      return sync_spool(sync);
    }
  }
  InvokingUser user = invoking_user();
  RunStoreRequest request;
  request.tracking_uri = uri;
  if (user.via_sudo) request.writer = FsIdentity::of_user(user.uid, user.gid, user.name);
  auto store = reopen_run_store(request);
  if (!store) {
    log::error(store.error().describe());
    return 2;
  }
  size_t ended = 0, failed = 0;
  for (const auto& r : repair_open_runs(**store)) {
    if (r.problem.empty()) {
      std::printf("run %s: its bpfpads is gone; ended as KILLED (bpfpads.incomplete)\n", r.run_id.c_str());
      ++ended;
    } else {
      log::error((r.run_id.empty() ? "" : "run " + r.run_id + ": ") + r.problem);
      ++failed;
    }
  }
  std::printf("%zu run%s ended in %s\n", ended, ended == 1 ? "" : "s", (*store)->describe().c_str());
  return failed ? 1 : 0;
}

}  // namespace bpfpads
