// Where and how to reach an MLflow tracking server: the URI, checked, plus auth and TLS
// from MLflow's own client variables (MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN,
// MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH, ...), and the user name
// and password from $HOME/.mlflow/credentials where the variables leave them unset.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"

namespace bpfpads {

struct RestConfig {
  std::string tracking_uri;  // as given: "http://127.0.0.1:5000/"
  std::string base_url;      // without a trailing '/': "http://127.0.0.1:5000"
  std::string username, password, token;
  bool insecure_tls = false;
  std::string ca_cert_path, client_cert_path;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{120000};  // MLFLOW_HTTP_REQUEST_TIMEOUT

  bool has_basic_auth() const { return !username.empty() && !password.empty(); }
};

// Looks a variable up; tests pass their own map instead of the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Fails on a malformed URI (no host, bad port, not http/https), on a boolean variable that
// is not true/false/1/0, and on INSECURE_TLS together with SERVER_CERT_PATH, as MLflow does.
Result<RestConfig> rest_config_from(const std::string& tracking_uri, const EnvLookup& env = process_env());

// "true"/"false"/"1"/"0", any case; anything else is an error naming the variable.
Result<bool> parse_env_bool(const std::string& name, const std::string& value);

}  // namespace bpfpads
