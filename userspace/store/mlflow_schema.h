// The MLflow SQLite schema we create new databases with, generated from the real MLflow by
// tools/gen-mlflow-schema.sh (see mlflow_schema.inc for the version).
#pragma once

#include <string_view>

namespace bpfpads::mlflow_schema {

// MLflow version the schema was dumped from, e.g. "3.17.2".
std::string_view mlflow_version();
// Alembic head of that version; MLflow refuses a DB whose revision differs from its own.
std::string_view alembic_revision();
// Every CREATE statement plus the rows MLflow's migrations seed; run with sqlite3_exec.
const char* ddl();

}  // namespace bpfpads::mlflow_schema
