#include "pipeline/run_sink.h"

#include <cctype>

#include "common/log.h"
#include "run/run_recorder.h"

namespace bpfpads {

std::string sanitize_key(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    bool ok = std::isalnum(c) || c == '_' || c == '.' || c == '/' || c == '-' || c == ' ' || c == ':' || c >= 0x80;
    out += ok ? static_cast<char>(c) : '_';
  }
  while (!out.empty() && (out.front() == '/' || out.front() == ' ')) out.erase(out.begin());
  while (!out.empty() && (out.back() == '/' || out.back() == ' ')) out.pop_back();
  if (out.empty()) out = "_";
  if (out.size() > 250) out.resize(250);
  return out;
}

std::string RunSink::scope_prefix(const std::string& name, const std::string& value) {
  auto [it, added] = scopes_.try_emplace(value, scopes_seen_);
  if (added) ++scopes_seen_;
  return it->second == 0 ? "" : name + "_" + std::to_string(it->second) + "/";
}

void RunSink::warn(const std::string& message) {
  if (warnings_.size() < 100) {
    warnings_.push_back(message);
    log::warning(message);
  }
}

void RunSink::log_param(const std::string& raw_key, const std::string& value) {
  std::string key = sanitize_key(raw_key);
  auto it = params_.find(key);
  if (it != params_.end()) {
    if (it->second == value) return;
    int n = ++param_versions_[key];
    if (n == 1) warn("param " + key + " changed from '" + it->second + "' to '" + value + "': logged as " + key + ".1, .2, ...");
    std::string versioned = key + "." + std::to_string(n);
    params_[versioned] = value;
    recorder_.log_params({{versioned, value}});
    return;
  }
  params_[key] = value;
  recorder_.log_params({{key, value}});
}

void RunSink::log_metric(const std::string& key, double value, int64_t step, int64_t wall_ms) {
  pending_metrics_.push_back({sanitize_key(key), value, wall_ms, step});
  if (pending_metrics_.size() >= 500) flush();
}

void RunSink::set_tag(const std::string& key, const std::string& value) {
  recorder_.set_tags({{sanitize_key(key), value}});
}

void RunSink::log_input(const DatasetInput& input) {
  std::string id = input.name + "\n" + input.digest + "\n" + input.context;
  if (inputs_seen_[id]) return;
  inputs_seen_[id] = true;
  recorder_.log_inputs({input});
}

void RunSink::log_artifact(const std::string& rel_path, const std::string& bytes) {
  recorder_.log_artifact(rel_path, bytes);
}

void RunSink::log_artifact_file(const std::string& rel_dir, const std::filesystem::path& file) {
  recorder_.log_artifact_file(rel_dir, file);
}

void RunSink::flush() {
  if (pending_metrics_.empty()) return;
  recorder_.log_metrics(pending_metrics_);
  pending_metrics_.clear();
}

}  // namespace bpfpads
