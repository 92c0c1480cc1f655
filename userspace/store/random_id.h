// Identifiers MLflow expects, from the kernel's CSPRNG (getrandom): run and dataset ids are
// uuid4().hex, file-store experiment ids random 18-digit integers.
#pragma once

#include <string>

#include "common/error.h"

namespace bpfpads {

// 32 lowercase hex digits of a version-4 UUID.
Result<std::string> uuid4_hex();

// An 18-digit decimal integer with no leading zero, as mlflow.utils.name_utils generates.
Result<std::string> random_experiment_id();

// "adjective-noun-NNN", like MLflow's generated run names.
Result<std::string> random_run_name();

}  // namespace bpfpads
