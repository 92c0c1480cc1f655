// A store for unit tests of loggers and extract rules: it writes nothing and keeps
// the artifacts it was given, so a test can read what a logger produced.
#pragma once

#include <map>
#include <string>

#include "store/store.h"

namespace bpfpads::testing {

class RecordingStore final : public Store {
 public:
  std::string describe() const override { return "recording"; }
  Result<> check_writable() override { return {}; }
  Result<std::string> get_or_create_experiment(const std::string&) override { return "0"; }
  Result<RunInfo> create_run(const NewRun&) override { return RunInfo{}; }
  Result<> log_batch(const std::string&, std::span<const Metric>, std::span<const Param>,
                     std::span<const Tag>) override { return {}; }
  Result<> log_inputs(const RunInfo&, std::span<const DatasetInput>) override { return {}; }
  Result<> log_artifact(const RunInfo&, const std::string& rel_path, std::string_view bytes) override {
    artifacts[rel_path] = std::string(bytes);
    return {};
  }
  Result<> log_artifact_file(const RunInfo&, const std::string&, const std::filesystem::path&) override {
    return {};
  }
  Result<> update_run(const std::string&, RunStatus, int64_t) override { return {}; }

  std::map<std::string, std::string> artifacts;  // relative path -> bytes
};

}  // namespace bpfpads::testing
