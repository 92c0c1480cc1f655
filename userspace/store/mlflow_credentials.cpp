#include "store/mlflow_credentials.h"

#include <algorithm>
#include <cctype>

#include "setup/setup_text.h"

namespace bpfpads {

FileCredentials parse_mlflow_credentials(std::string_view ini) {
  FileCredentials out;
  bool in_mlflow = false;
  while (!ini.empty()) {
    const size_t nl = ini.find('\n');
    std::string_view line = trim(ini.substr(0, nl));
    ini.remove_prefix(nl == std::string_view::npos ? ini.size() : nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      // configparser's section names are case-sensitive: only [mlflow] counts.
      in_mlflow = line.back() == ']' && trim(line.substr(1, line.size() - 2)) == "mlflow";
      continue;
    }
    if (!in_mlflow) continue;
    const size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, sep)));
    std::ranges::transform(key, key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value(trim(line.substr(sep + 1)));
    if (key == "mlflow_tracking_username") out.username = std::move(value);
    else if (key == "mlflow_tracking_password") out.password = std::move(value);
  }
  return out;
}

FileCredentials read_mlflow_credentials(const std::filesystem::path& path) {
  auto text = read_text_file(path, 64 << 10);
  return text ? parse_mlflow_credentials(*text) : FileCredentials{};
}

}  // namespace bpfpads
