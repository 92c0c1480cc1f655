#include "store/mlflow_schema.h"

namespace bpfpads::mlflow_schema {
namespace {
#include "store/mlflow_schema.inc"
}  // namespace

std::string_view mlflow_version() { return kMlflowVersion; }
std::string_view alembic_revision() { return kMlflowAlembicRevision; }
const char* ddl() { return kMlflowSchemaSql; }

}  // namespace bpfpads::mlflow_schema
