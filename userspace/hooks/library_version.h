#pragma once
#include <optional>
#include <string>
namespace bpfpads {
// The version of the library a native file belongs to, for a mapping file's
// `library.version` constraint: a Python distribution that ships the file
// (site-packages/<name>-<version>.dist-info next to its package folder), else the
// Debian package that installed it, else the version digits of its soname or file
// name (libfoo.so.1.2.3). nullopt: unknown.
std::optional<std::string> detect_library_version(const std::string& file_path,
                                                  const std::string& library_name);
}  // namespace bpfpads
