// Test-only: writes one run with known contents through open_store(), so that
// tests/integration/test_store_mlflow.py can read it back with the real MLflow client.
//
//   store_writer --uri URI [--experiment NAME] [--status FINISHED|FAILED|KILLED|RUNNING]
//                [--cwd DIR] [--user NAME]
// Prints {"run_id": ..., "experiment_id": ..., "artifact_uri": ..., "param_conflict": ...}.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace {

using namespace bpfpads;

int fail(const std::string& what, const Error& e) {
  std::cerr << "store_writer: " << what << ": " << e.describe() << "\n";
  return 1;
}

RunStatus parse_status(const std::string& s) {
  if (s == "FAILED") return RunStatus::Failed;
  if (s == "KILLED") return RunStatus::Killed;
  if (s == "RUNNING") return RunStatus::Running;
  return RunStatus::Finished;
}

}  // namespace

int main(int argc, char** argv) {
  std::string uri, experiment = "store-writer", status = "FINISHED", user = "alice";
  std::filesystem::path cwd = std::filesystem::current_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--uri") uri = value;
    else if (flag == "--experiment") experiment = value;
    else if (flag == "--status") status = value;
    else if (flag == "--cwd") cwd = value;
    else if (flag == "--user") user = value;
    else { std::cerr << "unknown flag " << flag << "\n"; return 2; }
  }

  auto store = open_store(uri, cwd);
  if (!store) return fail("open_store", store.error());
  Store& s = **store;
  if (auto r = s.check_writable(); !r) return fail("check_writable", r.error());
  auto exp_id = s.get_or_create_experiment(experiment);
  if (!exp_id) return fail("get_or_create_experiment", exp_id.error());

  NewRun nr;
  nr.experiment_id = *exp_id;
  nr.run_name = "writer-run";
  nr.user_id = user;
  nr.start_time_ms = 1700000000000;
  nr.tags = {{"mlflow.user", user}, {"mlflow.source.type", "LOCAL"}};
  auto run = s.create_run(nr);
  if (!run) return fail("create_run", run.error());

  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Metric> metrics = {
      {"loss", 1.5, 1700000001000, 0},
      {"loss", 0.5, 1700000002000, 1},
      {"loss", 0.25, 1700000003000, 2},
      {"weird", std::nan(""), 1700000001000, 0},
      {"weird", inf, 1700000002000, 1},
      {"weird", -inf, 1700000003000, 2},
      {"acc", 0.9, 1700000005000, 5},   // latest: largest step wins over the later timestamp
      {"acc", 0.95, 1700000006000, 3},
      {"system/cpu_utilization_percentage", 12.5, 1700000001000, 0},
      {"small", 1e-05, 1700000001000, 0},
      {"big", 1e16, 1700000001000, 0},
      {"dup", 3.0, 1700000001000, 0},
      {"dup", 3.0, 1700000001000, 0},   // identical point: stored once in SQL
  };
  const std::vector<Param> params = {
      {"lr", "0.01"}, {"model/name", "resnet"}, {"long", std::string(7000, 'x')}};
  const std::vector<Tag> tags = {{"team", "ml"}, {"note", "multi\nline: 'quoted' \"x\""}};
  if (auto r = s.log_batch(run->run_id, metrics, params, tags); !r) return fail("log_batch", r.error());

  // Same param value again: no-op. A different one: an error naming the key.
  const std::vector<Param> same = {{"lr", "0.01"}};
  if (auto r = s.log_batch(run->run_id, {}, same, {}); !r) return fail("log_batch same param", r.error());
  const std::vector<Param> changed = {{"lr", "0.02"}};
  auto conflict = s.log_batch(run->run_id, {}, changed, {});
  const std::string conflict_msg = conflict ? "" : conflict.error().describe();
  const std::vector<Tag> overwrite = {{"team", "ml-platform"}};
  if (auto r = s.log_batch(run->run_id, {}, {}, overwrite); !r) return fail("tag overwrite", r.error());

  DatasetInput ds;
  ds.name = "train";
  ds.digest = "abcd1234";
  ds.source_type = "local";
  ds.source = R"({"uri": "/data/train.csv"})";
  ds.schema = R"({"mlflow_colspec": [{"type": "double", "name": "x"}]})";
  ds.profile = R"({"num_rows": 100, "num_elements": 400})";
  ds.context = "training";
  const std::vector<DatasetInput> inputs = {ds, ds};  // the repeat is deduplicated
  if (auto r = s.log_inputs(*run, inputs); !r) return fail("log_inputs", r.error());

  if (auto r = s.log_artifact(*run, "hello.txt", "hello world\n"); !r) return fail("log_artifact", r.error());
  if (auto r = s.log_artifact(*run, "sub/dir/data.json", "{\"a\": 1}"); !r) return fail("log_artifact", r.error());
  const auto tmp = std::filesystem::temp_directory_path() / ("store_writer_" + std::to_string(getpid()) + ".txt");
  { std::ofstream(tmp) << "copied\n"; }
  auto copied = s.log_artifact_file(*run, "files", tmp);
  std::filesystem::remove(tmp);
  if (!copied) return fail("log_artifact_file", copied.error());

  if (auto r = s.update_run(run->run_id, parse_status(status), 1700000009000); !r)
    return fail("update_run", r.error());

  nlohmann::json out = {{"run_id", run->run_id},          {"experiment_id", run->experiment_id},
                        {"artifact_uri", run->artifact_uri}, {"run_name", run->run_name},
                        {"describe", s.describe()},          {"param_conflict", conflict_msg},
                        {"tmp_name", tmp.filename().string()}};
  std::cout << out.dump() << std::endl;
  return 0;
}
