#include "store/uri.h"

#include <cctype>

namespace bpfpads {
namespace fs = std::filesystem;

namespace {

std::string scheme_of(const std::string& uri) {
  const auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  std::string s = uri.substr(0, colon);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "file:" URI to a path: file:///abs, file://localhost/abs, file:/abs, file:rel.
Result<fs::path> file_uri_path(const std::string& uri) {
  std::string rest = uri.substr(5);  // after "file:"
  if (rest.starts_with("//")) {
    const auto slash = rest.find('/', 2);
    const std::string host = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    if (!host.empty() && host != "localhost")
      return make_error("file URI with a remote host is not supported", uri);
    rest = slash == std::string::npos ? "/" : rest.substr(slash);
  }
  if (const auto q = rest.find_first_of("?#"); q != std::string::npos) rest.resize(q);
  if (rest.empty()) return make_error("file URI has no path", uri);
  return fs::path(percent_decode(rest));
}

// "/a/b/" -> "/a/b": keeps describe() and URIs built from the path free of "//".
fs::path clean(const fs::path& p) {
  fs::path n = p.lexically_normal();
  if (!n.has_filename() && n.has_parent_path() && n != n.root_path()) n = n.parent_path();
  return n;
}

}  // namespace

std::string percent_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string path_to_file_uri(const fs::path& absolute_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : absolute_path.string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

Result<fs::path> artifact_uri_to_path(const std::string& uri) {
  const std::string scheme = scheme_of(uri);
  if (scheme == "file") return file_uri_path(uri);
  if (scheme.empty() && !uri.empty() && uri.front() == '/') return fs::path(uri);
  return make_error("artifact location is not a local path; only local artifact stores are "
                    "supported for now", uri);
}

Result<StoreLocation> resolve_tracking_uri(const std::string& given, const fs::path& cwd) {
  StoreLocation loc;
  loc.uri = given.empty() ? std::string(kDefaultTrackingUri) : given;
  const std::string& uri = loc.uri;
  const std::string scheme = scheme_of(uri);

  if (scheme == "sqlite") {
    // SQLAlchemy: sqlite:///<path>; the path after the third slash is relative unless it
    // starts with another '/'. "sqlite://" alone is an in-memory DB, useless to MLflow.
    if (!uri.starts_with("sqlite:///"))
      return make_error("SQLite tracking URI needs a file: use sqlite:///relative.db or "
                        "sqlite:////absolute/path.db", uri);
    std::string path = uri.substr(10);
    if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
    if (path.empty() || path == ":memory:")
      return make_error("SQLite tracking URI needs a file path, not an in-memory DB", uri);
    loc.kind = StoreLocation::Kind::Sqlite;
    loc.path = fs::path(path).is_absolute() ? fs::path(path) : cwd / path;
    loc.path = clean(loc.path);
    return loc;
  }
  if (scheme == "file") {
    auto p = file_uri_path(uri);
    if (!p) return std::unexpected(p.error());
    loc.kind = StoreLocation::Kind::File;
    loc.path = clean(p->is_absolute() ? *p : cwd / *p);
    return loc;
  }
  if (scheme == "http" || scheme == "https")
    return make_error("REST store not yet supported (issue #5); use sqlite:///mlflow.db or a "
                      "file: store for now", uri);
  if (scheme.empty() && uri != "databricks") {
    // A plain path is a file store, as in MLflow.
    loc.kind = StoreLocation::Kind::File;
    loc.path = clean(fs::path(uri).is_absolute() ? fs::path(uri) : cwd / uri);
    return loc;
  }
  return make_error("unsupported tracking URI scheme '" + (scheme.empty() ? uri : scheme) +
                    "'; supported: sqlite:///path.db, file:/path, a plain directory path, or "
                    "http(s)://host[:port] (an MLflow tracking server)", uri);
}

}  // namespace bpfpads
