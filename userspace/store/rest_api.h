// The MLflow tracking server's REST endpoints that a run needs, with each failure
// classified for the sender: worth retrying (server unreachable, 5xx, 429, 408, auth that
// an operator may fix) or rejected for good (other 4xx: this request will never pass).
#pragma once

#include <atomic>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "store/http_client.h"
#include "store/rest_json.h"

namespace bpfpads {

struct RestFailure {
  enum class Kind { Transient, Rejected };
  Kind kind = Kind::Transient;
  long http_status = 0;  // 0: no response (connection refused, timeout, TLS, cancelled)
  std::string what;      // "POST /api/2.0/mlflow/runs/log-batch"
  ServerError server;    // error_code and message, or the transport error

  bool transient() const { return kind == Kind::Transient; }
  std::string describe() const;
  Error as_error() const { return Error{describe(), 0, {}}; }
};

template <typename T = void>
using RestResult = std::expected<T, RestFailure>;

// Transient: no response, 408, 429, 5xx, and 401/403 (credentials can be fixed; the data
// must not be thrown away for it). Everything else >= 400 is Rejected.
RestFailure::Kind classify_http_status(long status);

struct RemoteRun {
  std::string run_id;
  std::string experiment_id;
  std::string artifact_uri;  // "mlflow-artifacts:/1/<run>/artifacts" with --serve-artifacts
};

class RestApi {
 public:
  explicit RestApi(RestConfig config, const std::atomic<bool>* cancel = nullptr)
      : http_(std::move(config), cancel) {}

  const RestConfig& config() const { return http_.config(); }
  void set_timeout(std::chrono::milliseconds t) { http_.set_timeout(t); }

  // GET /version: "3.17.2"; nullopt when the server has no such endpoint (404).
  RestResult<std::optional<std::string>> server_version();
  // nullopt when there is no experiment of that name (404 RESOURCE_DOES_NOT_EXIST).
  RestResult<std::optional<std::string>> experiment_id_by_name(const std::string& name);
  // Get, else create; a concurrent creator winning the race is fine.
  RestResult<std::string> get_or_create_experiment(const std::string& name);
  RestResult<RemoteRun> create_run(const nlohmann::json& body);
  // The active run of `experiment_id` carrying tag key=value, if any.
  RestResult<std::optional<RemoteRun>> find_run_by_tag(const std::string& experiment_id,
                                                       const std::string& key, const std::string& value);
  // POST /api/2.0/mlflow/<endpoint> with a JSON body whose answer carries nothing we need.
  RestResult<> post(const std::string& endpoint, const std::string& body);
  RestResult<> set_tag(const std::string& run_id, const std::string& key, const std::string& value);
  // PUT through the mlflow-artifacts proxy: `artifact_uri` is the run's, rel_path '/'-separated.
  RestResult<> upload_artifact(const std::string& artifact_uri, const std::string& rel_path,
                               std::string_view bytes);

 private:
  RestResult<nlohmann::json> call(const char* method, const std::string& path, const std::string& body,
                                  bool allow_404 = false);
  HttpClient http_;
};

// Path of an mlflow-artifacts URI: "mlflow-artifacts:/1/x/artifacts" or
// "mlflow-artifacts://host/1/x/artifacts" -> "1/x/artifacts". Other schemes fail: the
// server must proxy artifacts (the default, --serve-artifacts).
Result<std::string> mlflow_artifacts_path(const std::string& artifact_uri);

// Content-Type from the file extension, as the Python client guesses it.
std::string guess_mime_type(const std::string& rel_path);

// A browser link to a run: <base>/#/experiments/<exp>/runs/<run>.
std::string run_page_url(const std::string& base_url, const std::string& experiment_id,
                         const std::string& run_id);

}  // namespace bpfpads
