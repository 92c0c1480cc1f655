#include "store/spool_paths.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

namespace bpfpads {
namespace fs = std::filesystem;

fs::path default_spool_dir(const EnvLookup& env) {
  if (auto d = env("BPFPADS_SPOOL_DIR")) return fs::path(*d);
  if (::geteuid() == 0) return "/var/lib/bpfpads/spool";
  if (auto d = env("XDG_DATA_HOME")) return fs::path(*d) / "bpfpads" / "spool";
  if (auto h = env("HOME")) return fs::path(*h) / ".local" / "share" / "bpfpads" / "spool";
  return fs::temp_directory_path() / "bpfpads-spool";
}

SpoolFiles spool_files(const fs::path& dir, const std::string& id) {
  return {id, dir / (id + ".journal"), dir / (id + ".state"), dir / (id + ".blobs"), dir / (id + ".rejected")};
}

std::vector<std::string> list_spooled_runs(const fs::path& dir) {
  std::vector<std::pair<fs::file_time_type, std::string>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".journal") continue;
    std::error_code tec;
    found.emplace_back(fs::last_write_time(p, tec), p.stem().string());
  }
  std::ranges::sort(found);
  std::vector<std::string> ids;
  for (auto& [t, id] : found) ids.push_back(std::move(id));
  return ids;
}

}  // namespace bpfpads
