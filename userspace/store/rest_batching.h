// Cuts one log_batch call into request payloads that the server accepts
// (mlflow/server/validation.py): at most 1000 metrics, 100 params, 100 tags and 1000 items
// per request, no param key twice in one request, and well under the 1 MB request cap.
#pragma once

#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "run/run_types.h"

namespace bpfpads {

struct BatchLimits {
  size_t max_metrics = 1000;
  size_t max_params = 100;
  size_t max_tags = 100;
  size_t max_items = 1000;
  size_t max_bytes = 900 * 1000;  // JSON bytes of the items; the envelope adds < 100
};

// Each payload is {"metrics": [...], "params": [...], "tags": [...]} (empty arrays left
// out), in call order: params first, as the server writes them first. The same param
// twice with the same value is sent once; with different values it is an error (params
// are immutable). A tag given twice keeps its last value.
Result<std::vector<nlohmann::json>> split_batch(std::span<const Metric> metrics,
                                                std::span<const Param> params,
                                                std::span<const Tag> tags,
                                                const BatchLimits& limits = {});

// Joins consecutive log-batch payloads (each already within the limits) into one request
// while the sum stays within them, so a backlog drains in few round trips. A payload that
// repeats a param or tag key already in the request starts a new one: the server refuses
// a param key twice per request, and a tag's last value must win.
class BatchCoalescer {
 public:
  explicit BatchCoalescer(const BatchLimits& limits = {}) : limits_(limits) {}
  // Adds the payload if it fits; false (and nothing changed) if it does not.
  bool add(const nlohmann::json& payload);
  const nlohmann::json& payload() const { return payload_; }
  size_t payloads() const { return payloads_; }

 private:
  BatchLimits limits_;
  nlohmann::json payload_ = nlohmann::json::object();
  size_t payloads_ = 0, metrics_ = 0, params_ = 0, tags_ = 0, bytes_ = 0;
  std::set<std::string> param_keys_, tag_keys_;
};

}  // namespace bpfpads
