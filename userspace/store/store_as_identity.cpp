#include "store/store_as_identity.h"

#include "store/uri.h"

namespace bpfpads {
namespace {

Error identity_refused(const FsIdentity& who) {
  return Error{"cannot switch to " + who.name + " (uid " + std::to_string(who.uid) + ", gid " +
                   std::to_string(who.gid) + ") for the store's files",
               EPERM, "store"};
}

// Start-up errors say whose permissions were checked: a folder root may write but the
// caller may not is refused now, where it was not before.
Error with_identity_note(Error e, const FsIdentity& who) {
  e.message += " (bpfpads writes the store as " + who.name + ", the user who called sudo, as the job runs)";
  return e;
}

}  // namespace

template <typename F>
auto StoreAsIdentity::as_identity(F&& f) -> decltype(f()) {
  AsFsIdentity scope(who_);
  if (!scope.ok()) return std::unexpected(identity_refused(who_));
  return f();
}

Result<> StoreAsIdentity::check_writable() {
  auto r = as_identity([&] { return inner_->check_writable(); });
  if (!r) return std::unexpected(with_identity_note(r.error(), who_));
  return r;
}

Result<std::string> StoreAsIdentity::get_or_create_experiment(const std::string& name) {
  return as_identity([&] { return inner_->get_or_create_experiment(name); });
}

Result<RunInfo> StoreAsIdentity::create_run(const NewRun& run) {
  return as_identity([&] { return inner_->create_run(run); });
}

Result<> StoreAsIdentity::log_batch(const std::string& run_id, std::span<const Metric> metrics,
                                    std::span<const Param> params, std::span<const Tag> tags) {
  return as_identity([&] { return inner_->log_batch(run_id, metrics, params, tags); });
}

Result<> StoreAsIdentity::log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) {
  return as_identity([&] { return inner_->log_inputs(run, datasets); });
}

Result<> StoreAsIdentity::log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) {
  return as_identity([&] { return inner_->log_artifact(run, rel_path, bytes); });
}

Result<> StoreAsIdentity::log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                                            const std::filesystem::path& local_file) {
  return as_identity([&] { return inner_->log_artifact_file(run, rel_dir, local_file); });
}

Result<> StoreAsIdentity::update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) {
  return as_identity([&] { return inner_->update_run(run_id, status, end_time_ms); });
}

Result<std::vector<Store::OpenRun>> StoreAsIdentity::open_runs_tagged(const std::string& key) {
  return as_identity([&] { return inner_->open_runs_tagged(key); });
}

Result<> StoreAsIdentity::flush(std::chrono::milliseconds budget) {
  return as_identity([&] { return inner_->flush(budget); });
}

Result<std::unique_ptr<Store>> open_store_as(const std::optional<FsIdentity>& who, const std::string& tracking_uri,
                                             const std::filesystem::path& cwd, const StoreOptions& options) {
  auto location = resolve_tracking_uri(tracking_uri, cwd);
  if (!who || !location) return open_store(tracking_uri, cwd, options);  // remote, or an error to report
  Result<std::unique_ptr<Store>> store;
  {
    AsFsIdentity scope(who);
    if (!scope.ok()) return std::unexpected(identity_refused(*who));
    store = open_store(tracking_uri, cwd, options);
  }
  if (!store) return std::unexpected(with_identity_note(store.error(), *who));
  return std::unique_ptr<Store>(std::make_unique<StoreAsIdentity>(std::move(*store), *who));
}

}  // namespace bpfpads
