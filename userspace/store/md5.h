// MD5, only because the MLflow file store names dataset and input folders by md5 hex
// digests (FileStore._get_dataset_id / _get_input_id). Not for security.
#pragma once

#include <string>
#include <string_view>

namespace bpfpads {

// Lowercase hex digest of `data` (RFC 1321).
std::string md5_hex(std::string_view data);

}  // namespace bpfpads
