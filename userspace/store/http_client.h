// A minimal HTTP client over libcurl for the REST store: one easy handle per client
// (keep-alive across requests), auth and TLS from RestConfig, cancellable mid-transfer.
// Not thread-safe: each thread owns its client.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "store/rest_config.h"

namespace bpfpads {

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  // `cancel`, when set to true by another thread, aborts the transfer in progress within
  // about a second (curl's progress callback) so a sender thread can always be joined.
  explicit HttpClient(RestConfig config, const std::atomic<bool>* cancel = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` starts with '/' and is appended to the base URL. A transport failure
  // (connection refused, timeout, TLS) is an Error; any HTTP status is a response.
  Result<HttpResponse> get(const std::string& path);
  Result<HttpResponse> post_json(const std::string& path, const std::string& body);
  Result<HttpResponse> put(const std::string& path, std::string_view bytes,
                           const std::string& content_type);

  void set_timeout(std::chrono::milliseconds total) { timeout_ = total; }
  const RestConfig& config() const { return config_; }

 private:
  Result<HttpResponse> perform(const char* method, const std::string& path, std::string_view body,
                               const std::string& content_type);

  struct CurlDeleter { void operator()(void* handle) const; };
  RestConfig config_;
  const std::atomic<bool>* cancel_;
  std::unique_ptr<void, CurlDeleter> curl_;
  std::chrono::milliseconds timeout_;
};

// Percent-encodes one URL component (query value or path segment).
std::string url_escape(std::string_view text);

}  // namespace bpfpads
