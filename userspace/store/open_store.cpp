#include <cstdlib>

#include "store/file_store.h"
#include "store/rest_config.h"
#include "store/spool_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/uri.h"

namespace bpfpads {

namespace {

bool is_http_uri(const std::string& uri) {
  const auto colon = uri.find(':');
  if (colon == std::string::npos) return false;
  std::string scheme = uri.substr(0, colon);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "http" || scheme == "https";
}

}  // namespace

Result<StoreOptions> store_options_from_env() {
  StoreOptions opt;
  const auto env = process_env();
  if (auto v = env("BPFPADS_OFFLINE_OK")) {
    auto b = parse_env_bool("BPFPADS_OFFLINE_OK", *v);
    if (!b) return std::unexpected(b.error());
    opt.offline_ok = *b;
  }
  if (auto v = env("BPFPADS_SPOOL_DRAIN_SECONDS")) {
    char* end = nullptr;
    const double s = std::strtod(v->c_str(), &end);
    if (!end || *end || s < 0)
      return make_error("must be a number of seconds >= 0, not '" + *v + "'", "BPFPADS_SPOOL_DRAIN_SECONDS");
    opt.drain_budget = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  }
  if (auto v = env("BPFPADS_SPOOL_DIR")) opt.spool_dir = *v;
  return opt;
}

Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd) {
  if (!is_http_uri(tracking_uri)) return open_store(tracking_uri, cwd, StoreOptions{});
  auto opt = store_options_from_env();
  if (!opt) return std::unexpected(opt.error());
  return open_store(tracking_uri, cwd, *opt);
}

Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd,
                                          const StoreOptions& options) {
  if (is_http_uri(tracking_uri)) {
    auto store = SpooledRestStore::open(tracking_uri, options);
    if (!store) return std::unexpected(store.error());
    return std::unique_ptr<Store>(std::move(*store));
  }
  auto loc = resolve_tracking_uri(tracking_uri, cwd);
  if (!loc) return std::unexpected(loc.error());
  if (loc->kind == StoreLocation::Kind::Sqlite)
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(loc->path));
  return std::unique_ptr<Store>(std::make_unique<FileStore>(loc->path));
}

}  // namespace bpfpads
