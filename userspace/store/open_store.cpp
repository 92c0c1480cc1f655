#include "store/file_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/uri.h"

namespace bpfpads {

Result<std::unique_ptr<Store>> open_store(const std::string& tracking_uri,
                                          const std::filesystem::path& cwd) {
  auto loc = resolve_tracking_uri(tracking_uri, cwd);
  if (!loc) return std::unexpected(loc.error());
  if (loc->kind == StoreLocation::Kind::Sqlite)
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(loc->path));
  return std::unique_ptr<Store>(std::make_unique<FileStore>(loc->path));
}

}  // namespace bpfpads
