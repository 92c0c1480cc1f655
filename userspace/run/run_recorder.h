// Writes one run's data to its store as it arrives. A failed write never stops the
// job or the collector: it is counted, warned about once, and shown in the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/redaction.h"
#include "run/run_types.h"
#include "store/store.h"

namespace bpfpads {

class RunRecorder {
 public:
  // Tag and param values and text artifacts pass through `redactor` (nullptr: as they are).
  RunRecorder(Store& store, RunInfo info, const Redactor* redactor = nullptr)
      : store_(store), info_(std::move(info)), redactor_(redactor) {}

  const RunInfo& info() const { return info_; }
  void log_metrics(const std::vector<Metric>& metrics);
  void log_params(const std::vector<Param>& params);
  void set_tags(const std::vector<Tag>& tags);
  void set_tag(std::string key, std::string value) { set_tags({Tag{std::move(key), std::move(value)}}); }
  void log_inputs(const std::vector<DatasetInput>& datasets);
  void log_artifact(const std::string& rel_path, std::string_view bytes);
  void log_artifact_file(const std::string& rel_dir, const std::filesystem::path& file);
  // False when the store did not take the end: it still shows the run RUNNING.
  bool finish(RunStatus status, int64_t end_time_ms);

  uint64_t failed_writes() const { return failed_writes_; }
  const std::string& last_failure() const { return last_failure_; }

 private:
  void on_result(const Result<>& r, const char* what);

  std::string redacted(std::string_view text) const { return redactor_ ? redactor_->apply(text) : std::string(text); }

  Store& store_;
  RunInfo info_;
  const Redactor* redactor_;
  uint64_t failed_writes_ = 0;
  std::string last_failure_;
};

}  // namespace bpfpads
