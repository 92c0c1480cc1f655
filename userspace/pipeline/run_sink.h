// What loggers write through: the run's params, metrics, tags, inputs and
// artifacts, plus run-level state that hooks share (the current step).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "run/run_types.h"

namespace bpfpads {

class RunRecorder;

class RunSink {
 public:
  explicit RunSink(RunRecorder& recorder) : recorder_(recorder) {}

  // Params are immutable in MLflow: the same key with another value is logged as
  // "<key>.<n>" (PyPads' call-number suffix), with a warning the first time.
  void log_param(const std::string& key, const std::string& value);
  void log_metric(const std::string& key, double value, int64_t step, int64_t wall_ms);
  void set_tag(const std::string& key, const std::string& value);
  void log_input(const DatasetInput& input);
  void log_artifact(const std::string& rel_path, const std::string& bytes);
  void log_artifact_file(const std::string& rel_dir, const std::filesystem::path& file);
  void warn(const std::string& message);

  // The step of metrics that do not name one: set by `extract: step:` of a hook
  // such as XGBoosterUpdateOneIter.
  std::optional<int64_t> current_step;

  // Run variables (`extract: set: {run_NAME: ...}`), read by later calls' templates.
  std::map<std::string, std::string> variables;

  // `extract: scope`: "" for the first value seen, "<name>_<n>/" for the n-th other one.
  std::string scope_prefix(const std::string& name, const std::string& value);
  // The object behind `value` is gone: the next use of the same value is a new scope.
  void end_scope(const std::string& value) { scopes_.erase(value); }

  // Sends buffered metrics to the store (each tick and at the end).
  void flush();
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  RunRecorder& recorder_;
  std::vector<Metric> pending_metrics_;
  std::map<std::string, std::string> params_;  // key -> value logged
  std::map<std::string, int> param_versions_;
  std::map<std::string, bool> inputs_seen_;
  std::vector<std::string> warnings_;
  std::map<std::string, size_t> scopes_;  // live scope value -> order of first appearance
  size_t scopes_seen_ = 0;                 // every scope so far, ended ones included
};

// MLflow keys allow [\w./\- :]; C++ names bring '<', '(', '*', ','...
std::string sanitize_key(const std::string& raw);

}  // namespace bpfpads
