// Tracking-URI resolution, as MLflow's client does it (mlflow/tracking/_tracking_service/utils.py
// and the SQLAlchemy URL rules for sqlite), plus file:// URI <-> path conversion.
#pragma once

#include <filesystem>
#include <string>

#include "common/error.h"

namespace bpfpads {

struct StoreLocation {
  enum class Kind { Sqlite, File };
  Kind kind = Kind::Sqlite;
  std::filesystem::path path;  // the DB file (Sqlite) or the mlruns root (File); absolute
  std::string uri;             // as given, or the default
};

inline constexpr const char kDefaultTrackingUri[] = "sqlite:///mlflow.db";

//   ""                         -> sqlite:///mlflow.db in cwd
//   sqlite:///rel.db           -> cwd/rel.db;    sqlite:////abs.db -> /abs.db
//   file:./mlruns, file:///abs, file:/abs, /abs, rel/path -> file store at that directory
//   http(s)://, postgresql://, mysql://, databricks, ... -> error naming the URI
Result<StoreLocation> resolve_tracking_uri(const std::string& uri,
                                           const std::filesystem::path& cwd);

// "file:///abs/dir" with RFC 3986 percent-encoding, as Python's Path.as_uri() writes it.
std::string path_to_file_uri(const std::filesystem::path& absolute_path);

// The local directory an artifact URI names: "file:///x", "file:x" or a plain absolute path.
// Remote schemes (s3://, mlflow-artifacts:/, ...) fail: we only write local artifacts.
Result<std::filesystem::path> artifact_uri_to_path(const std::string& uri);

// Decodes %XX sequences; malformed ones are kept as they are.
std::string percent_decode(const std::string& text);

}  // namespace bpfpads
