// The one interface every backend implements: MLflow SQLite, MLflow file store,
// and (issue #5) an MLflow tracking server over REST. A new store is one class here.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "run/run_types.h"

namespace bpfpads {

class Store {
 public:
  virtual ~Store() = default;

  // Human-readable location for summaries: "sqlite:///abs/mlflow.db".
  virtual std::string describe() const = 0;

  // Fails with a clear error when nothing can be written (checked before the job starts).
  virtual Result<> check_writable() = 0;

  // MLFLOW_EXPERIMENT_NAME semantics: created when missing; "Default" is id "0".
  virtual Result<std::string> get_or_create_experiment(const std::string& name) = 0;

  virtual Result<RunInfo> create_run(const NewRun& run) = 0;

  // Params are immutable (same value again is a no-op, a different value an error);
  // tags may be overwritten; metrics append to their history.
  virtual Result<> log_batch(const std::string& run_id, std::span<const Metric> metrics,
                             std::span<const Param> params, std::span<const Tag> tags) = 0;

  virtual Result<> log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) = 0;

  // Writes `bytes` to <artifact root of run>/<rel_path>; rel_path may contain '/'.
  virtual Result<> log_artifact(const RunInfo& run, const std::string& rel_path,
                                std::string_view bytes) = 0;

  // Copies a local file in as <rel_dir>/<file name>.
  virtual Result<> log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                                     const std::filesystem::path& local_file) = 0;

  virtual Result<> update_run(const std::string& run_id, RunStatus status,
                              int64_t end_time_ms) = 0;

  // Waits up to `budget` for what was accepted so far to reach its destination. Stores
  // that write synchronously have nothing to wait for. The REST store answers with an
  // error saying what is still in its spool (kept there for `bpfpads sync`).
  virtual Result<> flush(std::chrono::milliseconds budget) {
    (void)budget;
    return {};
  }

  // The active runs still marked RUNNING that carry tag `key`, with its value: for
  // `bpfpads repair`, which ends those whose collector is gone. Stores that cannot
  // list runs (a tracking server: its spool does this) return none.
  struct OpenRun {
    std::string run_id;
    std::string tag_value;
  };
  virtual Result<std::vector<OpenRun>> open_runs_tagged(const std::string& key) {
    (void)key;
    return std::vector<OpenRun>{};
  }

  // A link that shows the run (a tracking server's web page); empty when there is none.
  virtual std::string run_url(const RunInfo& run) const {
    (void)run;
    return {};
  }

  // The id the run has at its destination. Local stores write at once: the same id. The
  // REST store hands out a local id from create_run (it must not wait for the server) and
  // learns the server's id when the spool reaches it: nullopt until then.
  virtual std::optional<std::string> remote_run_id(const std::string& run_id) const { return run_id; }
};

// How open_store treats a remote (http/https) tracking URI; local stores ignore it.
struct StoreOptions {
  // Unreachable server, refused credentials or an unsupported server version: a warning,
  // and the run is spooled for later, instead of an error before the job starts.
  bool offline_ok = false;
  // How long closing the store waits for the spool to drain; the rest stays spooled.
  std::chrono::milliseconds drain_budget{10000};
  std::filesystem::path spool_dir;  // empty: $BPFPADS_SPOOL_DIR or the default
};

// BPFPADS_OFFLINE_OK (true/false/1/0), BPFPADS_SPOOL_DRAIN_SECONDS, BPFPADS_SPOOL_DIR.
Result<StoreOptions> store_options_from_env();

// Opens the store that a tracking URI names, as MLflow's client resolves it:
//   "sqlite:///rel/or/abs.db"          MLflow SQLAlchemy schema, artifacts in <db dir>/mlruns
//   "file:./mlruns", "file:///abs", a plain path   MLflow file store layout
//   empty                                "sqlite:///mlflow.db" in `cwd`
//   "http://host:port", "https://..."  an MLflow tracking server, through a local spool
// Other schemes (postgresql, databricks) fail with an error naming the URI.
// The two-argument form takes its StoreOptions from store_options_from_env().
Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd);
Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd,
                                          const StoreOptions& options);

}  // namespace bpfpads
