#include "run/run_store.h"

#include <cstdlib>
#include <filesystem>

#include "common/redaction.h"
#include "store/store_as_identity.h"
#include "store/uri.h"

namespace bpfpads {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

namespace {

// A URI's password never shows in a message.
Error without_credentials(Error e) {
  e.message = redact_uri_credentials(e.message);
  e.context = redact_uri_credentials(e.context);
  return e;
}

}  // namespace

Result<std::unique_ptr<Store>> reopen_run_store(const RunStoreRequest& request) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  std::string uri = !request.tracking_uri.empty() ? request.tracking_uri : env_or("MLFLOW_TRACKING_URI", "");
  auto options = store_options_from_env();
  if (!options) return std::unexpected(options.error());
  options->offline_ok = options->offline_ok || request.offline_ok;
  auto store = open_store_as(request.writer, uri, cwd, *options);
  if (!store) return std::unexpected(without_credentials(store.error()));
  return store;
}

Result<RunStore> open_run_store(const RunStoreRequest& request) {
  auto store = reopen_run_store(request);
  if (!store) return std::unexpected(store.error());
  RunStore out;
  out.store = std::move(*store);
  if (auto r = out.store->check_writable(); !r) return std::unexpected(without_credentials(r.error()));
  std::string experiment =
      !request.experiment_name.empty() ? request.experiment_name : env_or("MLFLOW_EXPERIMENT_NAME", "Default");
  auto id = out.store->get_or_create_experiment(experiment);
  if (!id) return std::unexpected(id.error().with_context("experiment '" + experiment + "'"));
  out.experiment_id = *id;
  return out;
}

}  // namespace bpfpads
