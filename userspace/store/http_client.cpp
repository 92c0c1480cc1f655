#include "store/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace bpfpads {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  // curl_global_init is not thread-safe on every libcurl build: once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel && cancel->load() ? 1 : 0;  // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

}  // namespace

void HttpClient::CurlDeleter::operator()(void* handle) const { curl_easy_cleanup(static_cast<CURL*>(handle)); }

HttpClient::HttpClient(RestConfig config, const std::atomic<bool>* cancel)
    : config_(std::move(config)), cancel_(cancel), timeout_(config_.request_timeout) {
  global_init();
  curl_.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

std::string url_escape(std::string_view text) {
  global_init();
  char* out = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (!out) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

Result<HttpResponse> HttpClient::get(const std::string& path) { return perform("GET", path, {}, {}); }

Result<HttpResponse> HttpClient::post_json(const std::string& path, const std::string& body) {
  return perform("POST", path, body, "application/json");
}

Result<HttpResponse> HttpClient::put(const std::string& path, std::string_view bytes,
                                     const std::string& content_type) {
  return perform("PUT", path, bytes, content_type);
}

Result<HttpResponse> HttpClient::perform(const char* method, const std::string& path,
                                         std::string_view body, const std::string& content_type) {
  CURL* c = static_cast<CURL*>(curl_.get());
  if (!c) return make_error("curl_easy_init failed", config_.base_url);
  curl_easy_reset(c);  // keeps the connection cache, drops the previous request's options
  const std::string url = config_.base_url + path;
  HttpResponse resp;
  Slist headers;
  auto add_header = [&](const std::string& h) {
    curl_slist* l = curl_slist_append(headers.get(), h.c_str());
    if (l) { (void)headers.release(); headers.reset(l); }
  };
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM-based DNS timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel_));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "bpfpads/" BPFPADS_VERSION_STRING);
  // MLflow's client: Basic when user and password are both set, else Bearer with the token.
  if (config_.has_basic_auth()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
  } else if (!config_.token.empty()) {
    add_header("Authorization: Bearer " + config_.token);
  }
  if (config_.insecure_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.ca_cert_path.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_cert_path.c_str());
  if (!config_.client_cert_path.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, config_.client_cert_path.c_str());

  const std::string method_name = method;
  if (method_name == "POST" || method_name == "PUT") {
    add_header("Content-Type: " + content_type);
    add_header("Expect:");  // no 100-continue round trip for uploads
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return make_error(std::string("request failed: ") + curl_easy_strerror(rc),
                      method_name + " " + url);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace bpfpads
