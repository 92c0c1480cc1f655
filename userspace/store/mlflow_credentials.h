// ~/.mlflow/credentials, as MLflow's client reads it (mlflow/utils/credentials.py): an INI
// file whose [mlflow] section may hold mlflow_tracking_username and
// mlflow_tracking_password. The environment variables win, each on its own.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace bpfpads {

struct FileCredentials {
  std::optional<std::string> username, password;
};

// The [mlflow] section of an INI text (keys case-insensitive, "=" or ":", '#'/';' comments).
FileCredentials parse_mlflow_credentials(std::string_view ini);

// The file at `path`; nothing when it is missing or unreadable (as MLflow: no error).
FileCredentials read_mlflow_credentials(const std::filesystem::path& path);

}  // namespace bpfpads
