#include "store/rest_api.h"

namespace bpfpads {
namespace {

constexpr const char kApi[] = "/api/2.0/mlflow/";

std::string encode_path(const std::string& path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (!out.empty() || start > 0) out += '/';
    out += url_escape(std::string_view(path).substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

// Two runs logging the same dataset at once race on the server's unique rows
// (datasets, inputs): the loser gets a 4xx or 500 that names the constraint. Sent
// again, the row exists and the request passes, so this is worth a retry, not a
// record set aside for good.
static bool is_write_race(const std::string& message) {
  for (const char* sign : {"UNIQUE constraint failed", "IntegrityError", "duplicate key value",
                           "database is locked"})
    if (message.find(sign) != std::string::npos) return true;
  return false;
}

RestFailure::Kind classify_http_status(long status) {
  if (status == 0 || status == 401 || status == 403 || status == 408 || status == 429 || status >= 500)
    return RestFailure::Kind::Transient;
  return RestFailure::Kind::Rejected;
}

std::string RestFailure::describe() const {
  std::string hint;
  if (http_status == 401 || http_status == 403)
    hint = " (check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD, ~/.mlflow/credentials or "
           "MLFLOW_TRACKING_TOKEN)";
  return what + ": " + server.describe() + hint;
}

RestResult<nlohmann::json> RestApi::call(const char* method, const std::string& path,
                                         const std::string& body, bool allow_404) {
  const std::string m = method;
  auto resp = m == "GET" ? http_.get(path) : http_.post_json(path, body);
  RestFailure f;
  f.what = m + " " + path.substr(0, path.find('?'));
  if (!resp) {
    f.server.message = resp.error().message;
    return std::unexpected(f);
  }
  if (resp->status >= 200 && resp->status < 300) {
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }
  if (allow_404 && resp->status == 404) return nlohmann::json();  // null: not found
  f.http_status = resp->status;
  f.kind = classify_http_status(resp->status);
  f.server = parse_server_error(resp->status, resp->body);
  if (f.kind == RestFailure::Kind::Rejected && (is_write_race(f.server.message) || is_write_race(resp->body)))
    f.kind = RestFailure::Kind::Transient;
  return std::unexpected(f);
}

RestResult<std::optional<std::string>> RestApi::server_version() {
  auto resp = http_.get("/version");
  if (!resp) {
    RestFailure f;
    f.what = "GET /version";
    f.server.message = resp.error().message;
    return std::unexpected(f);
  }
  if (resp->status == 404) return std::optional<std::string>();
  if (resp->status != 200) {
    RestFailure f;
    f.what = "GET /version";
    f.http_status = resp->status;
    f.kind = classify_http_status(resp->status);
    f.server = parse_server_error(resp->status, resp->body);
    return std::unexpected(f);
  }
  std::string v = resp->body;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return std::optional<std::string>(v);
}

RestResult<std::optional<std::string>> RestApi::experiment_id_by_name(const std::string& name) {
  auto j = call("GET", kApi + std::string("experiments/get-by-name?experiment_name=") + url_escape(name), {}, true);
  if (!j) return std::unexpected(j.error());
  if (j->is_null()) return std::optional<std::string>();
  const auto& exp = (*j)["experiment"];
  if (!exp.is_object() || !exp.contains("experiment_id")) {
    RestFailure f{RestFailure::Kind::Rejected, 200, "GET experiments/get-by-name", {"", "answer has no experiment"}};
    return std::unexpected(f);
  }
  if (exp.value("lifecycle_stage", "active") == "deleted") {
    RestFailure f{RestFailure::Kind::Rejected, 200, "experiment '" + name + "'",
                  {"", "is deleted on the server; restore it or use another name"}};
    return std::unexpected(f);
  }
  return std::optional<std::string>(exp["experiment_id"].get<std::string>());
}

RestResult<std::string> RestApi::get_or_create_experiment(const std::string& name) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto found = experiment_id_by_name(name);
    if (!found) return std::unexpected(found.error());
    if (*found) return **found;
    auto created = call("POST", kApi + std::string("experiments/create"), nlohmann::json{{"name", name}}.dump());
    if (created) return (*created).value("experiment_id", std::string());
    // Another writer created it between our two requests: read it again.
    if (created.error().server.error_code != "RESOURCE_ALREADY_EXISTS") return std::unexpected(created.error());
  }
  return std::unexpected(RestFailure{RestFailure::Kind::Transient, 0, "experiment '" + name + "'",
                                     {"", "created and not found again"}});
}

RestResult<RemoteRun> RestApi::create_run(const nlohmann::json& body) {
  auto j = call("POST", kApi + std::string("runs/create"), body.dump());
  if (!j) return std::unexpected(j.error());
  const auto& info = (*j)["run"]["info"];
  RemoteRun r;
  r.run_id = info.value("run_id", "");
  r.experiment_id = info.value("experiment_id", "");
  r.artifact_uri = info.value("artifact_uri", "");
  if (r.run_id.empty())
    return std::unexpected(RestFailure{RestFailure::Kind::Transient, 200, "POST runs/create", {"", "answer has no run id"}});
  return r;
}

RestResult<std::optional<RemoteRun>> RestApi::find_run_by_tag(const std::string& experiment_id,
                                                              const std::string& key, const std::string& value) {
  nlohmann::json body = {{"experiment_ids", {experiment_id}},
                         {"filter", "tags.`" + key + "` = '" + value + "'"},
                         {"max_results", 1}};
  auto j = call("POST", kApi + std::string("runs/search"), body.dump());
  if (!j) return std::unexpected(j.error());
  if (!j->contains("runs") || (*j)["runs"].empty()) return std::optional<RemoteRun>();
  const auto& info = (*j)["runs"][0]["info"];
  return std::optional<RemoteRun>(RemoteRun{info.value("run_id", ""), info.value("experiment_id", ""),
                                            info.value("artifact_uri", "")});
}

RestResult<> RestApi::post(const std::string& endpoint, const std::string& body) {
  auto j = call("POST", kApi + endpoint, body);
  if (!j) return std::unexpected(j.error());
  return {};
}

RestResult<> RestApi::set_tag(const std::string& run_id, const std::string& key, const std::string& value) {
  return post("runs/set-tag", nlohmann::json{{"run_id", run_id}, {"key", key}, {"value", value}}.dump());
}

RestResult<> RestApi::upload_artifact(const std::string& artifact_uri, const std::string& rel_path,
                                      std::string_view bytes) {
  RestFailure f;
  f.what = "PUT artifact " + rel_path;
  auto base = mlflow_artifacts_path(artifact_uri);
  if (!base) {
    f.kind = RestFailure::Kind::Rejected;
    f.server.message = base.error().describe();
    return std::unexpected(f);
  }
  const std::string path = "/api/2.0/mlflow-artifacts/artifacts/" + encode_path(*base + "/" + rel_path);
  auto resp = http_.put(path, bytes, guess_mime_type(rel_path));
  if (!resp) {
    f.server.message = resp.error().message;
    return std::unexpected(f);
  }
  if (resp->status >= 200 && resp->status < 300) return {};
  f.http_status = resp->status;
  f.kind = classify_http_status(resp->status);
  f.server = parse_server_error(resp->status, resp->body);
  return std::unexpected(f);
}

Result<std::string> mlflow_artifacts_path(const std::string& artifact_uri) {
  const std::string scheme = "mlflow-artifacts:";
  if (!artifact_uri.starts_with(scheme))
    return make_error("the server gave the run a non-proxied artifact location; start it with "
                      "--serve-artifacts (the default) so bpfpads can upload through it", artifact_uri);
  std::string rest = artifact_uri.substr(scheme.size());
  if (rest.starts_with("//")) {  // mlflow-artifacts://host:port/path: the path after the authority
    const auto slash = rest.find('/', 2);
    rest = slash == std::string::npos ? "" : rest.substr(slash);
  }
  while (rest.starts_with("/")) rest.erase(0, 1);
  while (rest.ends_with("/")) rest.pop_back();
  if (rest.empty()) return make_error("artifact location has no path", artifact_uri);
  return rest;
}

std::string guess_mime_type(const std::string& rel_path) {
  const auto dot = rel_path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : rel_path.substr(dot + 1);
  if (ext == "txt" || ext == "log") return "text/plain";
  if (ext == "json") return "application/json";
  if (ext == "yaml" || ext == "yml") return "application/yaml";
  if (ext == "html") return "text/html";
  if (ext == "csv") return "text/csv";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  return "application/octet-stream";
}

std::string run_page_url(const std::string& base_url, const std::string& experiment_id,
                         const std::string& run_id) {
  return base_url + "/#/experiments/" + experiment_id + "/runs/" + run_id;
}

}  // namespace bpfpads
