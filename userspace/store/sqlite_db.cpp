#include "store/sqlite_db.h"

namespace bpfpads {

Error Query::error(const char* what) const {
  sqlite3* db = sqlite3_db_handle(stmt_);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  if (const char* sql = sqlite3_sql(stmt_)) msg += " (in: " + std::string(sql) + ")";
  return Error{msg, 0, db_path_ ? *db_path_ : std::string()};
}

Query& Query::bind(int idx, std::string_view text) {
  if (bind_status_ && sqlite3_bind_text(stmt_, idx, text.data(), static_cast<int>(text.size()),
                                        SQLITE_TRANSIENT) != SQLITE_OK)
    bind_status_ = std::unexpected(error("bind failed"));
  return *this;
}
Query& Query::bind(int idx, int64_t value) {
  if (bind_status_ && sqlite3_bind_int64(stmt_, idx, value) != SQLITE_OK)
    bind_status_ = std::unexpected(error("bind failed"));
  return *this;
}
Query& Query::bind(int idx, double value) {
  if (bind_status_ && sqlite3_bind_double(stmt_, idx, value) != SQLITE_OK)
    bind_status_ = std::unexpected(error("bind failed"));
  return *this;
}
Query& Query::bind_null(int idx) {
  if (bind_status_ && sqlite3_bind_null(stmt_, idx) != SQLITE_OK)
    bind_status_ = std::unexpected(error("bind failed"));
  return *this;
}
Query& Query::bind_opt(int idx, const std::optional<std::string>& text) {
  return text ? bind(idx, std::string_view(*text)) : bind_null(idx);
}

Result<bool> Query::step() {
  if (!bind_status_) return std::unexpected(bind_status_.error());
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(error("SQL statement failed"));
}

Result<> Query::run() {
  while (true) {
    auto r = step();
    if (!r) return std::unexpected(r.error());
    if (!*r) return {};
  }
}

std::string Query::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : "";
}
int64_t Query::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Query::real(int col) const { return sqlite3_column_double(stmt_, col); }
bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path) {
  SqliteDb db;
  db.path_ = std::make_unique<std::string>(path.string());
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db.path_->c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  db.db_.reset(raw);  // sqlite3 allocates a handle even on failure; close it either way
  if (rc != SQLITE_OK)
    return make_error(std::string("cannot open SQLite database: ") +
                          (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) +
                          "; check that the directory exists and is writable",
                      *db.path_);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 20000);
  if (auto r = db.exec("PRAGMA foreign_keys=ON"); !r) return std::unexpected(r.error());
  return db;
}

Error SqliteDb::error(const std::string& what) const {
  return Error{what + ": " + sqlite3_errmsg(db_.get()), 0, *path_};
}

Result<> SqliteDb::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    return make_error("SQL failed: " + msg, *path_);
  }
  return {};
}

Result<Query> SqliteDb::query(const char* sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
      return std::unexpected(error(std::string("cannot prepare '") + sql + "'"));
    it = stmts_.emplace(sql, StmtPtr(raw)).first;
  }
  return Result<Query>(std::in_place, it->second.get(), path_.get());
}

Result<WriteTxn> WriteTxn::begin(SqliteDb& db) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
  return WriteTxn(&db);
}

WriteTxn::~WriteTxn() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<> WriteTxn::commit() {
  auto r = db_->exec("COMMIT");
  if (r) db_ = nullptr;
  return r;
}

}  // namespace bpfpads
