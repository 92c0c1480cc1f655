#include "hooks/library_version.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "hooks/dpkg_version.h"
#include "symbols/library_locator.h"

namespace bpfpads {
namespace {

// PEP 503-style: "LightGBM" and "lightgbm", "scikit_learn" and "scikit-learn" agree.
std::string normalize(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return c == '-' || c == '.' ? '_' : static_cast<char>(std::tolower(c));
  });
  return s;
}

std::optional<std::string> dist_info_version(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  const std::string want = normalize(name) + "_";  // "xgboost-3.2.0.dist-info", normalized
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string folder = entry.path().filename();
    if (folder.size() < 10 || folder.substr(folder.size() - 10) != ".dist-info") continue;
    if (normalize(folder).rfind(want, 0) != 0) continue;
    std::ifstream meta(entry.path() / "METADATA");
    std::string line;
    while (std::getline(meta, line))
      if (line.rfind("Version: ", 0) == 0) return line.substr(9);
  }
  return std::nullopt;
}

// "libfoo.so.1.2.3" -> "1.2.3"
std::optional<std::string> so_version(const std::string& file_name) {
  auto pos = file_name.find(".so.");
  if (pos == std::string::npos) return std::nullopt;
  std::string v = file_name.substr(pos + 4);
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0]))) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string> detect_library_version(const std::string& file_path,
                                                  const std::string& library_name) {
  std::filesystem::path dir = std::filesystem::path(file_path).parent_path();
  for (int up = 0; up < 5 && !dir.empty() && dir != dir.root_path(); ++up, dir = dir.parent_path())
    if (auto v = dist_info_version(dir, library_name)) return v;
  if (auto v = dpkg_package_version(file_path, library_name)) return v;
  if (auto v = so_version(read_soname(file_path))) return v;
  return so_version(std::filesystem::path(file_path).filename());
}

}  // namespace bpfpads
