#include "hooks/dpkg_version.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <vector>

namespace bpfpads {
namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The names a packaged file may be listed under: dpkg lists the path it unpacked,
// which on merged-/usr systems is often /lib/... while the loader maps /usr/lib/...
// (or the other way round), and a symlink's target is listed too.
std::vector<std::string> listed_names(const std::filesystem::path& file) {
  std::vector<std::string> names{file.string()};
  std::error_code ec;
  auto real = std::filesystem::weakly_canonical(file, ec);
  if (!ec && real != file) names.push_back(real.string());
  for (size_t i = 0, n = names.size(); i < n; ++i) {
    const std::string p = names[i];  // a copy: push_back below may reallocate
    for (const char* dir : {"/lib/", "/bin/", "/sbin/"})
      if (p.rfind(dir, 0) == 0) names.push_back("/usr" + p);
    if (p.rfind("/usr/", 0) == 0) names.push_back(p.substr(4));
  }
  return names;
}

bool list_has_any(const std::filesystem::path& list, const std::vector<std::string>& names) {
  std::ifstream in(list);
  std::string line;
  while (std::getline(in, line))
    if (std::find(names.begin(), names.end(), line) != names.end()) return true;
  return false;
}

// "Version:" of an installed package's stanza in dpkg's status file.
std::optional<std::string> installed_version(const std::filesystem::path& status, const std::string& package) {
  std::ifstream in(status);
  std::string line;
  bool in_stanza = false;
  while (std::getline(in, line)) {
    if (line.empty()) {
      in_stanza = false;
    } else if (line.rfind("Package: ", 0) == 0) {
      in_stanza = line.substr(9) == package;
    } else if (in_stanza && line.rfind("Version: ", 0) == 0) {
      return line.substr(9);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string upstream_version(const std::string& debian_version) {
  std::string v = debian_version;
  if (auto colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
  if (auto dash = v.rfind('-'); dash != std::string::npos) v = v.substr(0, dash);
  return v;
}

std::optional<std::string> dpkg_package_version(const std::filesystem::path& file,
                                                const std::string& library_name,
                                                const std::filesystem::path& dpkg_dir) {
  const std::string want = lowercase(library_name);
  if (want.empty()) return std::nullopt;
  const auto names = listed_names(file);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dpkg_dir / "info", ec)) {
    const std::filesystem::path& list = entry.path();
    if (list.extension() != ".list") continue;
    std::string package = list.stem().string();  // "libxgboost0" or "libfoo:amd64"
    if (package.find(want) == std::string::npos || !list_has_any(list, names)) continue;
    package = package.substr(0, package.find(':'));
    if (auto v = installed_version(dpkg_dir / "status", package)) return upstream_version(*v);
  }
  return std::nullopt;
}

}  // namespace bpfpads
