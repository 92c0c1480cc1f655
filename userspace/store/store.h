// The one interface every backend implements: MLflow SQLite, MLflow file store,
// and (issue #5) an MLflow tracking server over REST. A new store is one class here.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

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
};

// Opens the store that a tracking URI names, as MLflow's client resolves it:
//   "sqlite:///rel/or/abs.db"          MLflow SQLAlchemy schema, artifacts in <db dir>/mlruns
//   "file:./mlruns", "file:///abs", a plain path   MLflow file store layout
//   empty                                "sqlite:///mlflow.db" in `cwd`
// Other schemes (http, postgresql, databricks) fail with an error naming the URI.
Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd);

}  // namespace bpfpads
