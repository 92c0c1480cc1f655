// Bringing a SQLite file to a state MLflow accepts: a new or empty file gets MLflow's full
// schema (so `mlflow ui` opens it with no migration); an existing DB is checked for the
// tables and columns we write, so we can append to a DB made by an older or newer MLflow.
#pragma once

#include <filesystem>
#include <string>

#include "common/error.h"
#include "store/sqlite_db.h"

namespace bpfpads {

struct MlflowDbInfo {
  std::string alembic_revision;
  bool created = false;        // this call created the schema
  bool has_workspace = false;  // experiments.workspace exists (MLflow >= 3.10)
};

// `artifact_root` is where experiment 0's artifacts go: <dir of db>/mlruns.
Result<MlflowDbInfo> prepare_mlflow_db(SqliteDb& db, const std::filesystem::path& artifact_root);

}  // namespace bpfpads
