// The store a run is written to, opened and checked before the job starts (a job is
// never run untracked), with the experiment it goes into.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/fs_identity.h"
#include "store/store.h"

namespace bpfpads {

struct RunStoreRequest {
  std::string tracking_uri;     // empty: $MLFLOW_TRACKING_URI, else the default store
  std::string experiment_name;  // empty: $MLFLOW_EXPERIMENT_NAME, else "Default"
  bool offline_ok = false;
  // Local stores are opened and written as this identity (the sudo caller): what they
  // create is the caller's, and no symlink in the caller's folders leads root elsewhere.
  std::optional<FsIdentity> writer;
};

struct RunStore {
  std::unique_ptr<Store> store;
  std::string experiment_id;
};

// Opens the store, checks that it takes writes and finds or creates the experiment.
// Touches nothing but the store, so it can run beside the loading of BPF programs.
Result<RunStore> open_run_store(const RunStoreRequest& request);

// The same store opened again (by the guard, to end a run bpfpads left open).
Result<std::unique_ptr<Store>> reopen_run_store(const RunStoreRequest& request);

}  // namespace bpfpads
