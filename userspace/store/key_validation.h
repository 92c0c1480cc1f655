// MLflow's rules for names and values (mlflow/utils/validation.py), applied before a write
// so that a bad key fails here with a clear message instead of breaking MLflow's readers
// (the file store re-validates every file name it reads; one bad name fails the whole search).
#pragma once

#include <cstddef>
#include <string>
#include <span>
#include <string_view>

#include "common/error.h"
#include "run/run_types.h"

namespace bpfpads {

// Limits, in Unicode code points as Python counts len().
inline constexpr size_t kMaxKeyLength = 250;         // metric, param, run-tag keys
inline constexpr size_t kMaxParamValueLength = 6000;  // truncated, not rejected
inline constexpr size_t kMaxTagValueLength = 8000;    // truncated, not rejected
inline constexpr size_t kMaxExperimentNameLength = 500;
inline constexpr size_t kMaxDatasetNameLength = 500;
inline constexpr size_t kMaxDatasetDigestLength = 36;
inline constexpr size_t kMaxDatasetSourceLength = 65535;
inline constexpr size_t kMaxDatasetSchemaLength = 1048575;
inline constexpr size_t kMaxDatasetProfileLength = 16777215;
inline constexpr size_t kMaxInputTagValueLength = 500;

// `kind` names the entity in the message: "metric", "param", "tag".
// Checks the character set ^[/\w.\- :]*$, that posixpath.normpath leaves it unchanged
// (no empty, ".", "..", "//", leading or trailing '/'), and the 250 code point limit.
Result<> validate_key(std::string_view kind, const std::string& key);

// Python's posixpath.normpath, which MLflow uses to reject names that alias other paths.
std::string posix_normpath(std::string_view path);

// Number of code points in UTF-8 text (invalid bytes count as one each).
size_t utf8_length(std::string_view text);

// Truncates to at most `limit` code points, never splitting a UTF-8 sequence. Returns true
// when it cut, so the caller can warn as MLflow does (MLFLOW_TRUNCATE_LONG_VALUES).
bool truncate_utf8(std::string& text, size_t limit);

// Param and run-tag values: truncated with a warning naming the key.
std::string truncate_param_value(const std::string& key, std::string value);
std::string truncate_tag_value(const std::string& key, std::string value);

// Rejects (does not truncate) a value longer than `limit` code points.
Result<> check_length(std::string_view what, std::string_view value, size_t limit);

// Checks every key of a log_batch call and metric timestamps (>= 0), before anything is
// written, so a bad batch leaves no partial trace.
Result<> validate_batch(std::span<const Metric> metrics, std::span<const Param> params,
                        std::span<const Tag> tags);

// Dataset name, digest, source, schema, profile and context against MLflow's limits.
Result<> validate_dataset(const DatasetInput& dataset);

// Experiment names: non-empty, at most 500 code points.
Result<> validate_experiment_name(const std::string& name);

}  // namespace bpfpads
