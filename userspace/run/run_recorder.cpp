#include "run/run_recorder.h"

#include "common/log.h"

namespace bpfpads {

void RunRecorder::on_result(const Result<>& r, const char* what) {
  if (r) return;
  last_failure_ = r.error().describe();
  if (failed_writes_++ < 3)
    log::warning(std::string("could not write ") + what + " to the store: " + r.error().describe());
}

void RunRecorder::log_metrics(const std::vector<Metric>& metrics) {
  if (metrics.empty()) return;
  on_result(store_.log_batch(info_.run_id, metrics, {}, {}), "metrics");
}

void RunRecorder::log_params(const std::vector<Param>& params) {
  if (params.empty()) return;
  std::vector<Param> clean = params;
  for (auto& p : clean) p.value = redacted(p.value);
  on_result(store_.log_batch(info_.run_id, {}, clean, {}), "params");
}

void RunRecorder::set_tags(const std::vector<Tag>& tags) {
  if (tags.empty()) return;
  std::vector<Tag> clean = tags;
  for (auto& t : clean) t.value = redacted(t.value);
  on_result(store_.log_batch(info_.run_id, {}, {}, clean), "tags");
}

void RunRecorder::log_inputs(const std::vector<DatasetInput>& datasets) {
  if (datasets.empty()) return;
  on_result(store_.log_inputs(info_, datasets), "inputs");
}

void RunRecorder::log_artifact(const std::string& rel_path, std::string_view bytes) {
  on_result(store_.log_artifact(info_, rel_path, redacted(bytes)), "an artifact");
}

void RunRecorder::log_artifact_file(const std::string& rel_dir, const std::filesystem::path& file) {
  on_result(store_.log_artifact_file(info_, rel_dir, file), "an artifact");
}

bool RunRecorder::finish(RunStatus status, int64_t end_time_ms) {
  auto r = store_.update_run(info_.run_id, status, end_time_ms);
  on_result(r, "the run status");
  return r.has_value();
}

}  // namespace bpfpads
