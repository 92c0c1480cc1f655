#include "store/sqlite_schema.h"

#include <set>
#include <vector>

#include "common/log.h"
#include "run/run_types.h"
#include "store/mlflow_schema.h"

namespace bpfpads {
namespace {

// Every column the store writes or reads, per table. A DB from another MLflow version is
// fine as long as these exist (MLflow's own migrations only ever add columns).
struct NeededTable {
  const char* table;
  std::vector<const char*> columns;
};
const std::vector<NeededTable> kNeeded = {
    {"experiments", {"experiment_id", "name", "artifact_location", "lifecycle_stage",
                     "creation_time", "last_update_time"}},
    {"runs", {"run_uuid", "name", "source_type", "source_name", "entry_point_name", "user_id",
              "status", "start_time", "end_time", "source_version", "lifecycle_stage",
              "artifact_uri", "experiment_id", "deleted_time"}},
    {"params", {"key", "value", "run_uuid"}},
    {"tags", {"key", "value", "run_uuid"}},
    {"metrics", {"key", "value", "timestamp", "run_uuid", "step", "is_nan"}},
    {"latest_metrics", {"key", "value", "timestamp", "step", "is_nan", "run_uuid"}},
    {"datasets", {"dataset_uuid", "experiment_id", "name", "digest", "dataset_source_type",
                  "dataset_source", "dataset_schema", "dataset_profile"}},
    {"inputs", {"input_uuid", "source_type", "source_id", "destination_type", "destination_id"}},
    {"input_tags", {"input_uuid", "name", "value"}},
};

Result<std::set<std::string>> columns_of(SqliteDb& db, const char* table) {
  // PRAGMA arguments cannot be bound; table names here are our own constants.
  auto q = db.query("SELECT name FROM pragma_table_info(?)");
  if (!q) return std::unexpected(q.error());
  q->bind(1, std::string_view(table));
  std::set<std::string> cols;
  while (true) {
    auto row = q->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    cols.insert(q->text(0));
  }
  return cols;
}

Result<int64_t> table_count(SqliteDb& db) {
  auto q = db.query("SELECT count(*) FROM sqlite_master WHERE type='table'");
  if (!q) return std::unexpected(q.error());
  auto row = q->step();
  if (!row) return std::unexpected(row.error());
  return q->int64(0);
}

Result<> create_schema(SqliteDb& db, const std::filesystem::path& artifact_root) {
  if (auto r = db.exec(mlflow_schema::ddl()); !r) return r;
  auto ver = db.query("INSERT INTO alembic_version (version_num) VALUES (?)");
  if (!ver) return std::unexpected(ver.error());
  if (auto r = ver->bind(1, mlflow_schema::alembic_revision()).run(); !r) return r;
  // Experiment 0, as SqlAlchemyStore._create_default_experiment inserts it: a plain
  // absolute path (no file://) as artifact location.
  auto exp = db.query(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
      "creation_time, last_update_time, workspace) VALUES (0, 'Default', ?, 'active', ?, ?, 'default')");
  if (!exp) return std::unexpected(exp.error());
  const int64_t now = now_ms();
  return exp->bind(1, (artifact_root / "0").string()).bind(2, now).bind(3, now).run();
}

Result<std::string> read_revision(SqliteDb& db) {
  auto q = db.query("SELECT version_num FROM alembic_version");
  if (!q)
    return make_error("has tables but no alembic_version: not an MLflow tracking database; "
                      "point the tracking URI at another file", db.path());
  auto row = q->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return make_error("alembic_version is empty: not an initialised MLflow database", db.path());
  return q->text(0);
}

}  // namespace

Result<MlflowDbInfo> prepare_mlflow_db(SqliteDb& db, const std::filesystem::path& artifact_root) {
  MlflowDbInfo info;
  auto tables = table_count(db);
  if (!tables) return std::unexpected(tables.error());
  if (*tables == 0) {
    // Re-check under the write lock: another process may be creating the same DB right now.
    auto txn = WriteTxn::begin(db);
    if (!txn) return std::unexpected(txn.error().with_context("creating MLflow schema"));
    tables = table_count(db);
    if (!tables) return std::unexpected(tables.error());
    if (*tables == 0) {
      if (auto r = create_schema(db, artifact_root); !r)
        return std::unexpected(r.error().with_context("creating MLflow schema"));
      info.created = true;
    }
    if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  }

  auto rev = read_revision(db);
  if (!rev) return std::unexpected(rev.error());
  info.alembic_revision = *rev;

  if (*rev != mlflow_schema::alembic_revision()) {
    for (const auto& [table, needed] : kNeeded) {
      auto cols = columns_of(db, table);
      if (!cols) return std::unexpected(cols.error());
      for (const char* col : needed)
        if (!cols->contains(col))
          return make_error(std::string("MLflow schema revision ") + *rev + " lacks " + table + "." +
                                col + " which bpfpads writes; upgrade the DB with `mlflow db upgrade "
                                "sqlite:///" + db.path() + "` (bpfpads targets MLflow " +
                                std::string(mlflow_schema::mlflow_version()) + ", revision " +
                                std::string(mlflow_schema::alembic_revision()) + ")",
                            db.path());
    }
    log::debug("MLflow DB " + db.path() + " has schema revision " + *rev + ", bpfpads was built for " +
               std::string(mlflow_schema::alembic_revision()) + "; appending, all needed columns exist");
  }
  auto exp_cols = columns_of(db, "experiments");
  if (!exp_cols) return std::unexpected(exp_cols.error());
  info.has_workspace = exp_cols->contains("workspace");
  return info;
}

}  // namespace bpfpads
