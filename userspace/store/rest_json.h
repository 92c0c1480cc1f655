// JSON shapes of the MLflow REST API (mlflow/protos/service.proto as proto_json_utils
// writes it): IDs as strings, int64 as numbers, status as enum names, non-finite metric
// values as "NaN"/"Infinity"/"-Infinity". nlohmann's objects are key-sorted maps and its
// doubles shortest-round-trip, so a payload always serializes to the same bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "run/run_types.h"

namespace bpfpads {

nlohmann::json metric_json(const Metric& m);
nlohmann::json key_value_json(const std::string& key, const std::string& value);
// One entry of log-inputs "datasets": the dataset and its mlflow.data.context tag.
nlohmann::json dataset_input_json(const DatasetInput& d);

// A journal payload plus the server's run id: the exact body of log-batch, log-inputs, ...
std::string body_with_run_id(const std::string& server_run_id, const nlohmann::json& payload);

// {"error_code": ..., "message": ...} from an error response; a body that is not MLflow's
// JSON (a proxy's HTML page) gives the HTTP status and the start of the body instead.
struct ServerError {
  std::string error_code;
  std::string message;
  std::string describe() const;  // "RESOURCE_DOES_NOT_EXIST: Run 'x' not found"
};
ServerError parse_server_error(long http_status, const std::string& body);

}  // namespace bpfpads
