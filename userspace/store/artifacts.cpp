#include "store/artifacts.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "store/random_id.h"
#include "store/uri.h"

namespace bpfpads {
namespace fs = std::filesystem;

namespace {

Result<> write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_errno_error("write failed", errno, path.string());
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<fs::path> artifact_dir(const std::string& artifact_uri, const std::string& rel) {
  auto root = artifact_uri_to_path(artifact_uri);
  if (!root) return std::unexpected(root.error());
  return rel.empty() ? *root : *root / rel;
}

}  // namespace

Result<> validate_artifact_path(const std::string& rel_path) {
  if (rel_path.empty()) return make_error("artifact path is empty");
  if (rel_path.front() == '/')
    return make_error("artifact path must be relative to the run's artifact directory", rel_path);
  size_t pos = 0;
  while (pos <= rel_path.size()) {
    size_t end = rel_path.find('/', pos);
    if (end == std::string::npos) end = rel_path.size();
    const std::string_view part(rel_path.data() + pos, end - pos);
    if (part.empty() || part == "." || part == "..")
      return make_error("artifact path must not contain empty, '.' or '..' parts", rel_path);
    pos = end + 1;
  }
  return {};
}

Result<> write_file_atomic(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return make_errno_error("cannot create directory", ec.value(), path.parent_path().string());
  auto suffix = uuid4_hex();
  if (!suffix) return std::unexpected(suffix.error());
  // Hidden temp name in the same directory, so rename() is atomic and a crash leaves no
  // file that MLflow would read as a param, tag or metric.
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp-" + suffix->substr(0, 8));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return make_errno_error("cannot create file", errno, tmp.string());
  auto written = write_all(fd, bytes, tmp);
  if (::close(fd) != 0 && written) written = make_errno_error("close failed", errno, tmp.string());
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0)
    written = make_errno_error("cannot rename into place", errno, path.string());
  if (!written) ::unlink(tmp.c_str());
  return written;
}

Result<> write_artifact(const std::string& artifact_uri, const std::string& rel_path,
                        std::string_view bytes) {
  if (auto ok = validate_artifact_path(rel_path); !ok) return ok;
  auto dir = artifact_dir(artifact_uri, "");
  if (!dir) return std::unexpected(dir.error());
  return write_file_atomic(*dir / rel_path, bytes);
}

Result<> copy_artifact_file(const std::string& artifact_uri, const std::string& rel_dir,
                            const fs::path& local_file) {
  if (!rel_dir.empty())
    if (auto ok = validate_artifact_path(rel_dir); !ok) return ok;
  auto dir = artifact_dir(artifact_uri, rel_dir);
  if (!dir) return std::unexpected(dir.error());
  std::error_code ec;
  fs::create_directories(*dir, ec);
  if (ec) return make_errno_error("cannot create artifact directory", ec.value(), dir->string());
  const fs::path dest = *dir / local_file.filename();
  const fs::path tmp = *dir / ("." + local_file.filename().string() + ".tmp");
  fs::copy_file(local_file, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return make_errno_error("cannot copy artifact from " + local_file.string(), ec.value(), dest.string());
  fs::rename(tmp, dest, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return make_errno_error("cannot rename artifact into place", ec.value(), dest.string());
  }
  return {};
}

}  // namespace bpfpads
