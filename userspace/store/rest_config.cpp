#include "store/rest_config.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "store/mlflow_credentials.h"

namespace bpfpads {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStr {
  char* s = nullptr;
  ~CurlStr() { curl_free(s); }
};

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

Result<bool> parse_env_bool(const std::string& name, const std::string& value) {
  const std::string v = lower(value);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return make_error("must be true, false, 1 or 0, not '" + value + "'", name);
}

Result<RestConfig> rest_config_from(const std::string& tracking_uri, const EnvLookup& env) {
  RestConfig cfg;
  cfg.tracking_uri = tracking_uri;
  // libcurl's own URL parser: the same rules the requests will be made with.
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return make_error("curl_url failed", tracking_uri);
  if (curl_url_set(url.get(), CURLUPART_URL, tracking_uri.c_str(), 0) != CURLUE_OK)
    return make_error("malformed tracking URI; expected http://host[:port][/prefix]", tracking_uri);
  CurlStr scheme, host, query;
  if (curl_url_get(url.get(), CURLUPART_SCHEME, &scheme.s, 0) != CURLUE_OK ||
      (lower(scheme.s) != "http" && lower(scheme.s) != "https"))
    return make_error("tracking URI must start with http:// or https://", tracking_uri);
  // libcurl reads "http:///x" as host "x"; MLflow's client would not.
  if (curl_url_get(url.get(), CURLUPART_HOST, &host.s, 0) != CURLUE_OK || !*host.s ||
      tracking_uri.find(":///") != std::string::npos)
    return make_error("tracking URI has no host", tracking_uri);
  if (curl_url_get(url.get(), CURLUPART_QUERY, &query.s, 0) == CURLUE_OK && query.s && *query.s)
    return make_error("tracking URI must not have a query string", tracking_uri);
  std::string base = tracking_uri;
  if (const auto hash = base.find('#'); hash != std::string::npos) base.resize(hash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  cfg.base_url = base;

  auto get = [&](const char* name) { return env(name).value_or(""); };
  cfg.username = get("MLFLOW_TRACKING_USERNAME");
  cfg.password = get("MLFLOW_TRACKING_PASSWORD");
  if (cfg.username.empty() || cfg.password.empty()) {
    // As MLflow's client: each one the environment leaves unset comes from the file.
    if (auto home = env("HOME")) {
      const FileCredentials file = read_mlflow_credentials(std::filesystem::path(*home) / ".mlflow" / "credentials");
      if (cfg.username.empty()) cfg.username = file.username.value_or("");
      if (cfg.password.empty()) cfg.password = file.password.value_or("");
    }
  }
  cfg.token = get("MLFLOW_TRACKING_TOKEN");
  cfg.ca_cert_path = get("MLFLOW_TRACKING_SERVER_CERT_PATH");
  cfg.client_cert_path = get("MLFLOW_TRACKING_CLIENT_CERT_PATH");
  if (auto v = env("MLFLOW_TRACKING_INSECURE_TLS")) {
    auto b = parse_env_bool("MLFLOW_TRACKING_INSECURE_TLS", *v);
    if (!b) return std::unexpected(b.error());
    cfg.insecure_tls = *b;
  }
  if (cfg.insecure_tls && !cfg.ca_cert_path.empty())
    return make_error("MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both "
                      "be set; unset one of them", tracking_uri);
  if (auto v = env("MLFLOW_HTTP_REQUEST_TIMEOUT")) {
    char* end = nullptr;
    const long s = std::strtol(v->c_str(), &end, 10);
    if (!end || *end || s <= 0)
      return make_error("must be a positive number of seconds, not '" + *v + "'", "MLFLOW_HTTP_REQUEST_TIMEOUT");
    cfg.request_timeout = std::chrono::seconds(s);
  }
  return cfg;
}

}  // namespace bpfpads
