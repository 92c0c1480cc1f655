// Cuts one log_batch call into request payloads that the server accepts
// (mlflow/server/validation.py): at most 1000 metrics, 100 params, 100 tags and 1000 items
// per request, no param key twice in one request, and well under the 1 MB request cap.
#pragma once

#include <cstddef>
#include <span>
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

}  // namespace bpfpads
