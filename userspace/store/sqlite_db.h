// Thin RAII layer over the sqlite3 C API: owned handles, a per-connection cache of prepared
// statements, and errors that carry SQLite's own message and the DB path.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/error.h"

namespace bpfpads {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A bound, ready-to-step statement borrowed from the cache; reset when it goes out of scope
// so the cached statement never holds a read lock between calls.
class Query {
 public:
  Query(sqlite3_stmt* stmt, const std::string* db_path) : stmt_(stmt), db_path_(db_path) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }

  Query& bind(int idx, std::string_view text);
  Query& bind(int idx, int64_t value);
  Query& bind(int idx, double value);
  Query& bind_null(int idx);
  // An empty optional binds NULL.
  Query& bind_opt(int idx, const std::optional<std::string>& text);

  // One step: true when a row is ready, false when done.
  Result<bool> step();
  // Runs to completion (for INSERT/UPDATE).
  Result<> run();

  std::string text(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;
  bool is_null(int col) const;

 private:
  Error error(const char* what) const;
  sqlite3_stmt* stmt_;
  const std::string* db_path_;
  Result<> bind_status_ = {};
};

class SqliteDb {
 public:
  // Opens (creating when missing) with foreign keys on and a 20 s busy timeout, as MLflow's
  // sessions do. The journal mode is left as it is: MLflow DBs use the default (delete).
  static Result<SqliteDb> open(const std::filesystem::path& path);

  Result<> exec(const char* sql);
  // A cached prepared statement for `sql`.
  Result<Query> query(const char* sql);
  int64_t changes() const { return sqlite3_changes64(db_.get()); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  const std::string& path() const { return *path_; }
  Error error(const std::string& what) const;

 private:
  SqlitePtr db_;
  std::unique_ptr<std::string> path_;  // stable address for Query's error messages
  std::unordered_map<const char*, StmtPtr> stmts_;  // keyed by the SQL literal's address
};

// BEGIN IMMEDIATE (take the write lock up front, so busy_timeout applies instead of a
// deadlock-prone lock upgrade); rolls back on destruction unless commit() succeeded.
class WriteTxn {
 public:
  static Result<WriteTxn> begin(SqliteDb& db);
  WriteTxn(WriteTxn&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  WriteTxn(const WriteTxn&) = delete;
  ~WriteTxn();
  Result<> commit();

 private:
  explicit WriteTxn(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace bpfpads
