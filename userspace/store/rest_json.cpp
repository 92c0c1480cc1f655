#include "store/rest_json.h"

#include <cmath>

namespace bpfpads {

nlohmann::json metric_json(const Metric& m) {
  nlohmann::json value;
  if (std::isnan(m.value)) value = "NaN";
  else if (std::isinf(m.value)) value = m.value > 0 ? "Infinity" : "-Infinity";
  else value = m.value;
  return {{"key", m.key}, {"value", value}, {"timestamp", m.timestamp_ms}, {"step", m.step}};
}

nlohmann::json key_value_json(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", value}};
}

nlohmann::json dataset_input_json(const DatasetInput& d) {
  nlohmann::json ds = {{"name", d.name}, {"digest", d.digest}, {"source_type", d.source_type},
                       {"source", d.source}};
  if (!d.schema.empty()) ds["schema"] = d.schema;
  if (!d.profile.empty()) ds["profile"] = d.profile;
  nlohmann::json tags = nlohmann::json::array();
  if (!d.context.empty()) tags.push_back(key_value_json("mlflow.data.context", d.context));
  return {{"tags", tags}, {"dataset", ds}};
}

std::string body_with_run_id(const std::string& server_run_id, const nlohmann::json& payload) {
  nlohmann::json body = payload;
  body["run_id"] = server_run_id;
  // "replace": a journal line is valid UTF-8 JSON already; never throw on the send path.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ServerError::describe() const {
  return error_code.empty() ? message : error_code + ": " + message;
}

ServerError parse_server_error(long http_status, const std::string& body) {
  ServerError e;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("error_code") && j["error_code"].is_string()) e.error_code = j["error_code"];
    if (j.contains("message") && j["message"].is_string()) e.message = j["message"];
  }
  if (e.message.empty()) {
    std::string snippet = body.substr(0, 200);
    for (char& c : snippet)
      if (c == '\n' || c == '\r') c = ' ';
    e.message = "HTTP " + std::to_string(http_status) + (snippet.empty() ? "" : ": " + snippet);
  }
  return e;
}

}  // namespace bpfpads
