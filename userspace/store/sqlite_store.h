// MLflow's SQLAlchemy schema in a local SQLite file, written the way SqlAlchemyStore writes
// it, so the real MLflow (client, `mlflow ui`) reads our runs and we can append to its DBs.
#pragma once

#include <filesystem>
#include <optional>

#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

namespace bpfpads {

class SqliteStore final : public Store {
 public:
  // Nothing is opened until the first call: open_store() must not create files by itself.
  explicit SqliteStore(std::filesystem::path db_path);

  std::string describe() const override;
  Result<> check_writable() override;
  Result<std::string> get_or_create_experiment(const std::string& name) override;
  Result<RunInfo> create_run(const NewRun& run) override;
  Result<> log_batch(const std::string& run_id, std::span<const Metric> metrics,
                     std::span<const Param> params, std::span<const Tag> tags) override;
  Result<> log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) override;
  Result<> log_artifact(const RunInfo& run, const std::string& rel_path,
                        std::string_view bytes) override;
  Result<> log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                             const std::filesystem::path& local_file) override;
  Result<std::vector<OpenRun>> open_runs_tagged(const std::string& key) override;
  Result<> update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) override;

 private:
  // The open connection, creating or checking the schema on first use.
  Result<SqliteDb*> db();
  Result<std::optional<int64_t>> find_experiment(SqliteDb& db, const std::string& name,
                                                 bool& deleted);
  Result<int64_t> insert_experiment(SqliteDb& db, const std::string& name, bool as_default);
  // Fails unless the run exists and is active; returns its experiment id.
  Result<int64_t> active_run_experiment(SqliteDb& db, const std::string& run_id);
  Result<> write_param(SqliteDb& db, const std::string& run_id, const Param& p);
  Result<> write_metric(SqliteDb& db, const std::string& run_id, const Metric& m);
  Result<> write_tag(SqliteDb& db, const std::string& run_id, const std::string& key,
                     const std::string& value);
  Result<> write_input(SqliteDb& db, int64_t experiment_id, const std::string& run_id,
                       const DatasetInput& in);

  std::filesystem::path db_path_;
  std::filesystem::path artifact_root_;  // <dir of db>/mlruns
  std::optional<SqliteDb> db_;
  MlflowDbInfo info_;
};

}  // namespace bpfpads
