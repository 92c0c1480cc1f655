// The legacy MLflow file store (./mlruns), laid out exactly as MLflow's FileStore does so
// that MLflow (with MLFLOW_ALLOW_FILE_STORE=true) and `mlflow migrate-filestore` read it.
#pragma once

#include <filesystem>
#include <optional>
#include <unordered_map>

#include "store/file_store_meta.h"
#include "store/store.h"

namespace bpfpads {

class FileStore final : public Store {
 public:
  // Nothing is created until the first write or check_writable().
  explicit FileStore(std::filesystem::path root);

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
  // Creates the root with experiment 0 "Default" when it does not exist, as FileStore() does.
  Result<> ensure_root();
  Result<> create_experiment(const std::string& id, const std::string& name);
  // Searches active experiments, then .trash for a deleted one of that name.
  Result<std::optional<ExperimentMeta>> find_experiment(const std::string& name);
  // The run's meta, from what we wrote or, for a run made elsewhere, from its meta.yaml.
  Result<RunMeta*> active_run(const std::string& run_id);
  std::filesystem::path run_dir(const RunMeta& run) const;
  Result<> write_params(const RunMeta& run, std::span<const Param> params);
  Result<> append_metrics(const RunMeta& run, std::span<const Metric> metrics);
  Result<> write_tag(RunMeta& run, const std::string& key, const std::string& value);

  std::filesystem::path root_;
  std::unordered_map<std::string, RunMeta> runs_;
};

}  // namespace bpfpads
