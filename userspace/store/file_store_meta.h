// The meta.yaml documents of the MLflow file store (spec §1.2, §1.3, §1.5), as MLflow 3.17
// writes them, and reading back the fields we need (via yaml-cpp, exceptions contained).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/error.h"
#include "run/run_types.h"

namespace bpfpads {

struct ExperimentMeta {
  std::string experiment_id;
  std::string name;
  std::string artifact_location;  // file:///abs/<root>/<id>
  std::string lifecycle_stage = "active";
  int64_t creation_time = 0;
};

struct RunMeta {
  std::string run_id;
  std::string experiment_id;
  std::string run_name;
  std::string user_id;
  std::string artifact_uri;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;
  int status = 1;  // FileStore integers: RUNNING=1 FINISHED=3 FAILED=4 KILLED=5
  std::string lifecycle_stage = "active";
};

std::string experiment_meta_yaml(const ExperimentMeta& exp);

// `fresh`: MLflow writes `deleted_time: null` only when it creates the run, and leaves the
// key out whenever it rewrites the file later (_overwrite_run_info).
std::string run_meta_yaml(const RunMeta& run, bool fresh);

std::string dataset_meta_yaml(const DatasetInput& dataset);
std::string input_meta_yaml(const std::string& dataset_id, const std::string& context);

Result<ExperimentMeta> read_experiment_meta(const std::filesystem::path& meta_yaml);
Result<RunMeta> read_run_meta(const std::filesystem::path& meta_yaml);

}  // namespace bpfpads
