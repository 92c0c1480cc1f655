// The run model: what a run holds, independent of where it is stored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfpads {

enum class RunStatus { Running, Finished, Failed, Killed };

// MLflow's enum names: "RUNNING", "FINISHED", "FAILED", "KILLED".
const char* run_status_name(RunStatus status);
// MLflow's FileStore integers: RUNNING=1 FINISHED=3 FAILED=4 KILLED=5.
int run_status_number(RunStatus status);

struct Metric {
  std::string key;
  double value = 0;
  int64_t timestamp_ms = 0;
  int64_t step = 0;
};

struct Param {
  std::string key;
  std::string value;
};

struct Tag {
  std::string key;
  std::string value;
};

// A dataset the run used (MLflow "inputs"): name, digest and a JSON source/schema.
struct DatasetInput {
  std::string name;
  std::string digest;        // at most 36 chars
  std::string source_type;   // "local", "code", ...
  std::string source;        // JSON, e.g. {"uri": "..."}
  std::string schema;        // JSON or empty
  std::string profile;       // JSON or empty, e.g. {"num_rows": 100, "num_elements": 400}
  std::string context;       // mlflow.data.context tag: "training", "eval", ...
};

struct NewRun {
  std::string experiment_id;
  std::string run_name;
  std::string user_id;
  int64_t start_time_ms = 0;
  std::vector<Tag> tags;  // written together with the run (mlflow.runName is added by the store)
};

struct RunInfo {
  std::string run_id;         // 32 lowercase hex
  std::string experiment_id;
  std::string run_name;
  std::string user_id;
  std::string artifact_uri;   // where artifacts go, as MLflow reads it
  int64_t start_time_ms = 0;
};

// Milliseconds since the Unix epoch (wall clock), as MLflow timestamps are.
int64_t now_ms();

}  // namespace bpfpads
