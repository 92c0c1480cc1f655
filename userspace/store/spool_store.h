// The REST store: runs go to an MLflow tracking server, through a durable local spool.
// Every call appends to the run's journal and returns at once (no network on the
// caller's thread once the run exists); a sender thread fsyncs the journal in batches and
// ships it, retrying with backoff while the server is away. Closing the store waits up to
// StoreOptions::drain_budget; what is left is sent by `bpfpads sync` or the next run.
//
// IDs: create_run returns a RunInfo with a *local* run id (uuid4 hex), the key of every
// later call and the name of the spool files; remote_run_id() gives the server's once known.
// One run per store, as a session uses it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/rest_config.h"
#include "store/spool_journal.h"
#include "store/spool_paths.h"
#include "store/spool_shipper.h"
#include "store/store.h"

namespace bpfpads {

class SpooledRestStore final : public Store {
 public:
  // Fails only on what no retry can fix: a malformed URI or contradictory TLS settings.
  static Result<std::unique_ptr<SpooledRestStore>> open(const std::string& tracking_uri,
                                                        const StoreOptions& options,
                                                        const EnvLookup& env = process_env());
  ~SpooledRestStore() override;

  std::string describe() const override { return config_.tracking_uri; }
  // A real request (GET /version, GET experiments/get-by-name?experiment_name=Default)
  // and a writable spool directory.
  Result<> check_writable() override;
  Result<std::string> get_or_create_experiment(const std::string& name) override;
  Result<RunInfo> create_run(const NewRun& run) override;
  Result<> log_batch(const std::string& run_id, std::span<const Metric> metrics,
                     std::span<const Param> params, std::span<const Tag> tags) override;
  Result<> log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) override;
  Result<> log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) override;
  Result<> log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                             const std::filesystem::path& local_file) override;
  Result<> update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) override;
  Result<> flush(std::chrono::milliseconds budget) override;
  std::string run_url(const RunInfo& run) const override;
  std::optional<std::string> remote_run_id(const std::string& run_id) const override;

  const std::filesystem::path& spool_dir() const { return spool_dir_; }

 private:
  SpooledRestStore(RestConfig config, StoreOptions options, std::filesystem::path spool_dir)
      : config_(std::move(config)), opt_(std::move(options)), spool_dir_(std::move(spool_dir)) {}
  Result<> check_server();
  Result<> check_run(const std::string& run_id) const;
  // Numbers the record and appends it to the journal; if the journal cannot take it
  // (disk full), keeps it in memory for the sender (bounded) and reports the failure.
  Result<> append(nlohmann::json record);
  void sender_main();
  bool drained_locked() const;

  const RestConfig config_;
  const StoreOptions opt_;
  const std::filesystem::path spool_dir_;
  bool online_ = false;  // check_writable reached the server
  std::map<std::string, std::string> experiment_names_;  // id handed out -> name

  std::string local_run_id_;
  std::optional<SpoolFiles> files_;
  std::optional<JournalWriter> writer_;
  std::optional<JournalShipper> shipper_;  // the sender thread's alone once it runs
  uint64_t blob_counter_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;      // producer -> sender
  std::condition_variable progress_;  // sender -> flush
  uint64_t next_seq_ = 0;             // records handed out
  uint64_t acked_seq_ = 0;            // records below this are on the server (or set aside)
  bool problems_reported_ = true;
  std::vector<nlohmann::json> memory_;  // not journaled, waiting for the sender
  size_t memory_bytes_ = 0;
  uint64_t spool_failures_ = 0;
  bool kick_ = false;  // flush: try now, whatever the backoff says
  bool stop_ = false;
  std::string remote_id_, remote_experiment_, last_error_;
  std::atomic<bool> cancel_{false};
  bool flushed_ = false;
  std::thread sender_;
};

}  // namespace bpfpads
