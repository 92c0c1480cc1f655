// The version of the Debian package that installed a file, from dpkg's database.
// Debian's sonames do not carry the upstream version (its libxgboost.so.0 is
// XGBoost 1.7.4), so a distribution's library is versioned by its package.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace bpfpads {

// The upstream part of the installed version ("1:1.7.4-1" -> "1.7.4") of the package
// that lists `file`. Only packages whose name contains `library_name` are searched
// (libxgboost0 for xgboost): reading every package's file list would cost more than
// the run's start-up budget. nullopt: no such package, or no dpkg database.
std::optional<std::string> dpkg_package_version(const std::filesystem::path& file,
                                                const std::string& library_name,
                                                const std::filesystem::path& dpkg_dir = "/var/lib/dpkg");

// "1:1.7.4-1" -> "1.7.4", "2.0" -> "2.0" (Debian policy 5.6.12: epoch, upstream, revision).
std::string upstream_version(const std::string& debian_version);

}  // namespace bpfpads
