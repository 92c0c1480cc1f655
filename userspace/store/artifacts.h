// Writing artifacts under a local artifact root (file:// URI or plain path); shared by the
// SQLite and file stores, whose runs both point at a local <root>/<exp>/<run>/artifacts.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.h"

namespace bpfpads {

// Rejects paths that would escape the artifact directory: absolute, "..", empty parts.
Result<> validate_artifact_path(const std::string& rel_path);

// Writes `bytes` to <artifact_uri>/<rel_path>, creating directories; the file appears
// whole or not at all (temporary file + rename).
Result<> write_artifact(const std::string& artifact_uri, const std::string& rel_path,
                        std::string_view bytes);

// Copies `local_file` to <artifact_uri>/<rel_dir>/<file name>; rel_dir may be empty.
Result<> copy_artifact_file(const std::string& artifact_uri, const std::string& rel_dir,
                            const std::filesystem::path& local_file);

// Writes a whole file atomically (tmp + rename in the same directory). Used for artifacts
// and for the file store's meta.yaml and tag files, which readers must never see half-written.
Result<> write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace bpfpads
