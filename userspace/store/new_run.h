// What both stores do before writing a new run: validate its tags, pick its name the way
// SqlAlchemyStore/FileStore.create_run do, add the mlflow.runName tag and draw the run id.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "run/run_types.h"

namespace bpfpads {

inline constexpr const char kRunNameTag[] = "mlflow.runName";

struct PreparedRun {
  std::string run_id;  // uuid4 hex
  std::string run_name;
  std::string user_id;   // "unknown" when empty, as MLflow's client sends
  int64_t start_time_ms = 0;
  std::vector<Tag> tags;  // validated, values truncated, mlflow.runName included once
};

// Name: run.run_name, else the mlflow.runName tag, else a random "adjective-noun-NNN";
// both given and different is an error (as in MLflow).
Result<PreparedRun> prepare_new_run(const NewRun& run);

}  // namespace bpfpads
