// A store whose every file operation runs as one file-system identity (see
// common/fs_identity.h): under sudo, the local stores (SQLite and its artifact folder,
// the file store) are written as the caller, in folders the job can change while the
// run goes on. The wrapped store is opened inside the same identity (open_as).
#pragma once

#include <memory>

#include "common/fs_identity.h"
#include "store/store.h"

namespace bpfpads {

class StoreAsIdentity : public Store {
 public:
  StoreAsIdentity(std::unique_ptr<Store> inner, FsIdentity who) : inner_(std::move(inner)), who_(std::move(who)) {}

  std::string describe() const override { return inner_->describe(); }
  Result<> check_writable() override;
  Result<std::string> get_or_create_experiment(const std::string& name) override;
  Result<RunInfo> create_run(const NewRun& run) override;
  Result<> log_batch(const std::string& run_id, std::span<const Metric> metrics, std::span<const Param> params,
                     std::span<const Tag> tags) override;
  Result<> log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) override;
  Result<> log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) override;
  Result<> log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                             const std::filesystem::path& local_file) override;
  Result<> update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) override;
  Result<std::vector<OpenRun>> open_runs_tagged(const std::string& key) override;
  Result<> flush(std::chrono::milliseconds budget) override;
  std::string run_url(const RunInfo& run) const override { return inner_->run_url(run); }
  std::optional<std::string> remote_run_id(const std::string& run_id) const override {
    return inner_->remote_run_id(run_id);
  }

 private:
  template <typename F>
  auto as_identity(F&& f) -> decltype(f());

  std::unique_ptr<Store> inner_;
  FsIdentity who_;
};

// open_store() run as `who` (nullopt: as ourselves), the result wrapped so that it
// stays in that identity. Remote stores are not wrapped: their spool is bpfpads' own.
Result<std::unique_ptr<Store>> open_store_as(const std::optional<FsIdentity>& who, const std::string& tracking_uri,
                                             const std::filesystem::path& cwd, const StoreOptions& options);

}  // namespace bpfpads
