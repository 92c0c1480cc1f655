#include "store/spool_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "common/log.h"
#include "store/artifacts.h"
#include "store/key_validation.h"
#include "store/new_run.h"
#include "store/rest_api.h"
#include "store/rest_batching.h"
#include "store/rest_json.h"
#include "store/spool_backoff.h"
#include "store/spool_records.h"
#include "store/spool_shipper.h"
#include "store/spool_sync.h"

namespace bpfpads {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxMemoryBytes = 64u << 20;  // unspoolable records kept for the sender

// "3.17.2" -> 3; -1 when it does not start with a number.
int major_version(const std::string& v) {
  int major = 0;
  size_t i = 0;
  for (; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); ++i) major = major * 10 + (v[i] - '0');
  return i == 0 ? -1 : major;
}

Result<> make_spool_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_errno_error("cannot create the spool directory; set BPFPADS_SPOOL_DIR to a "
                                  "writable directory", ec.value(), dir.string());
  ::chmod(dir.c_str(), 0700);  // journals hold params and tags: not for other users
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return make_errno_error("spool directory is not writable; set BPFPADS_SPOOL_DIR to a writable "
                            "directory", errno, dir.string());
  return {};
}

}  // namespace

Result<std::unique_ptr<SpooledRestStore>> SpooledRestStore::open(const std::string& tracking_uri,
                                                                 const StoreOptions& options,
                                                                 const EnvLookup& env) {
  auto config = rest_config_from(tracking_uri, env);
  if (!config) return std::unexpected(config.error());
  fs::path dir = options.spool_dir.empty() ? default_spool_dir(env) : options.spool_dir;
  return std::unique_ptr<SpooledRestStore>(new SpooledRestStore(std::move(*config), options, std::move(dir)));
}

SpooledRestStore::~SpooledRestStore() {
  if (!sender_.joinable()) return;
  if (!flushed_) {
    if (auto r = flush(opt_.drain_budget); !r) log::warning(r.error().describe());
  }
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cancel_ = true;  // aborts a request in flight: joining never waits on the network
  wake_.notify_all();
  sender_.join();
  // All on the server: the spool keeps nothing of this run but a .rejected file, if any.
  if (shipper_ && shipper_->state().finished && shipper_->caught_up() && acked_seq_ >= next_seq_ &&
      shipper_->state().problems_tagged)
    shipper_->remove_files();
}

void SpooledRestStore::sender_main() {
  RestApi api(config_, &cancel_);
  Backoff backoff;
  auto retry_at = Clock::now();
  uint64_t seen = 0, synced = 0;
  bool warned = false, background_done = false;
  const auto stop = [this] {
    std::lock_guard lk(mu_);
    return stop_ || cancel_.load();
  };
  for (;;) {
    uint64_t written = 0;
    bool kick = false;
    {
      std::unique_lock lk(mu_);
      const auto now = Clock::now();
      const auto until = retry_at > now ? retry_at : now + std::chrono::seconds(1);
      wake_.wait_until(lk, until, [&] {
        return stop_ || kick_ || (Clock::now() >= retry_at && (next_seq_ > seen || !memory_.empty()));
      });
      if (stop_) break;
      kick = std::exchange(kick_, false);
      written = next_seq_;
    }
    // Durability in batches: one fdatasync covers every record written since the last.
    if (writer_ && written > synced) {
      if (auto r = writer_->sync(); !r) log::debug(r.error().describe());
      synced = written;
    }
    if (!kick && Clock::now() < retry_at) continue;
    if (auto r = shipper_->read_new(); !r) log::debug(r.error().describe());
    {
      // A record the journal refused is put in memory before any later record is
      // journaled (both under mu_): taking memory again after the read means a gap in
      // what was read is never a record still on its way from memory.
      std::lock_guard lk(mu_);
      for (auto& m : memory_) shipper_->add_memory_record(std::move(m));
      memory_.clear();
      memory_bytes_ = 0;
    }
    auto r = shipper_->ship_available(api, stop);
    seen = written;
    {
      std::lock_guard lk(mu_);
      const SpoolState& st = shipper_->state();
      acked_seq_ = st.next_seq;
      problems_reported_ = st.problems_tagged;
      remote_id_ = st.server_run_id;
      remote_experiment_ = st.experiment_id;
      last_error_ = r ? "" : r.error().describe();
    }
    progress_.notify_all();
    if (!r) {
      if (stop()) break;
      retry_at = Clock::now() + backoff.next();
      if (!warned)
        log::warning("MLflow server: " + r.error().describe() + "; the run is kept in the spool " +
                     spool_dir_.string() + " and retried");
      warned = true;
      continue;
    }
    backoff.reset();
    retry_at = Clock::now();
    if (!background_done && shipper_->caught_up()) {
      // The server answers: send what earlier runs left in the spool for it, between
      // our own records (it yields as soon as this run has something new to send).
      background_done = true;
      const auto yield = [this, written] {
        std::lock_guard lk(mu_);
        return stop_ || cancel_.load() || kick_ || next_seq_ > written;
      };
      for (const auto& id : list_spooled_runs(spool_dir_)) {
        if (id == local_run_id_ || yield()) continue;
        auto out = sync_journal(spool_files(spool_dir_, id), config_.base_url, &cancel_, yield,
                                Clock::now() + std::chrono::seconds(5));
        if (out.result == JournalSyncResult::Pending) background_done = false;  // again later
        if (out.result == JournalSyncResult::Done)
          log::info("sent an earlier spooled run to " + config_.tracking_uri + ": " + out.message);
      }
    }
  }
  (void)shipper_->save(true);
}

Result<> SpooledRestStore::check_server() {
  RestApi api(config_);
  api.set_timeout(std::chrono::seconds(10));
  auto version = api.server_version();
  if (!version) {
    if (version.error().http_status == 0)
      return make_error("cannot reach the MLflow tracking server: " + version.error().server.message,
                        config_.tracking_uri);
    return std::unexpected(version.error().as_error().with_context(config_.tracking_uri));
  }
  // log-inputs and the mlflow-artifacts proxy need MLflow 2.x; /version itself is 1.x+.
  if (*version && major_version(**version) < 2)
    return make_error("MLflow server version " + **version + " is not supported; bpfpads needs 2.0 or newer",
                      config_.tracking_uri);
  auto exp = api.experiment_id_by_name("Default");
  if (!exp) return std::unexpected(exp.error().as_error().with_context(config_.tracking_uri));
  return {};
}

Result<> SpooledRestStore::check_writable() {
  if (auto r = make_spool_dir(spool_dir_); !r) return r;
  auto r = check_server();
  online_ = r.has_value();
  if (r) return {};
  if (!opt_.offline_ok)
    return std::unexpected(Error{r.error().message + " (with --offline-ok the run is spooled and sent later)",
                                 r.error().err_no, r.error().context});
  log::warning(r.error().describe() + "; --offline-ok: the run is spooled in " + spool_dir_.string() +
               " and sent when the server answers (bpfpads sync)");
  return {};
}

Result<std::string> SpooledRestStore::get_or_create_experiment(const std::string& name) {
  if (auto r = validate_experiment_name(name); !r) return std::unexpected(r.error());
  std::string id;
  if (online_) {
    // Before the job starts: asking the server now is fine, and gives the real id.
    RestApi api(config_);
    api.set_timeout(std::chrono::seconds(30));
    auto got = api.get_or_create_experiment(name);
    if (got) id = *got;
    else if (!opt_.offline_ok || !got.error().transient())
      return std::unexpected(got.error().as_error().with_context(config_.tracking_uri));
  }
  // Offline: a placeholder; the sender resolves the name when the server answers.
  if (id.empty()) id = "spool:" + name;
  experiment_names_[id] = name;
  return id;
}

Result<> SpooledRestStore::append(nlohmann::json record) {
  std::unique_lock lk(mu_);
  record["seq"] = next_seq_++;
  const std::string line = encode_journal_line(record);
  Result<> written = writer_ ? writer_->append(line)
                             : make_error("no spool journal", files_ ? files_->journal.string() : "");
  if (!written) {
    ++spool_failures_;
    if (memory_bytes_ + line.size() <= kMaxMemoryBytes) {
      memory_bytes_ += line.size();
      memory_.push_back(std::move(record));
    }
    lk.unlock();
    wake_.notify_one();
    if (spool_failures_ == 1)
      log::warning(written.error().describe() + "; records are kept in memory until the server takes them, "
                   "and the run is marked incomplete if they never get there");
    return std::unexpected(written.error().with_context("spool"));
  }
  lk.unlock();
  wake_.notify_one();
  return {};
}

Result<RunInfo> SpooledRestStore::create_run(const NewRun& run) {
  if (!local_run_id_.empty()) return make_error("this REST store already has a run", local_run_id_);
  auto prepared = prepare_new_run(run);
  if (!prepared) return std::unexpected(prepared.error());
  if (auto r = make_spool_dir(spool_dir_); !r) return std::unexpected(r.error());
  local_run_id_ = prepared->run_id;
  files_ = spool_files(spool_dir_, local_run_id_);

  nlohmann::json tags = nlohmann::json::array();
  for (const auto& t : prepared->tags) tags.push_back(key_value_json(t.key, t.value));
  tags.push_back(key_value_json(kLocalRunIdTag, local_run_id_));
  nlohmann::json rec = {{"t", "run"},
                        {"local_run_id", local_run_id_},
                        {"tracking_uri", config_.tracking_uri},
                        {"experiment_id", run.experiment_id},
                        {"create", {{"user_id", prepared->user_id},
                                    {"run_name", prepared->run_name},
                                    {"start_time", prepared->start_time_ms},
                                    {"tags", tags}}}};
  if (auto it = experiment_names_.find(run.experiment_id); it != experiment_names_.end())
    rec["experiment_name"] = it->second;

  if (auto w = JournalWriter::create(files_->journal)) {
    writer_.emplace(std::move(*w));
    auto s = JournalShipper::open(*files_, false);
    if (!s) return std::unexpected(s.error());
    shipper_.emplace(std::move(*s));
  } else {
    log::warning(w.error().describe());
    shipper_.emplace(JournalShipper::memory_only(*files_));
  }
  (void)append(std::move(rec));  // on failure it waits in memory, and the run is still created
  sender_ = std::thread([this] { sender_main(); });
  RunInfo info;
  info.run_id = local_run_id_;
  info.experiment_id = run.experiment_id;
  info.run_name = prepared->run_name;
  info.user_id = prepared->user_id;
  info.start_time_ms = prepared->start_time_ms;
  return info;
}

Result<> SpooledRestStore::check_run(const std::string& run_id) const {
  if (run_id.empty() || run_id != local_run_id_)
    return make_error("not a run of this store (expected the local id from create_run)", run_id);
  return {};
}

Result<> SpooledRestStore::log_batch(const std::string& run_id, std::span<const Metric> metrics,
                                     std::span<const Param> params, std::span<const Tag> tags) {
  if (auto r = check_run(run_id); !r) return r;
  if (auto r = validate_batch(metrics, params, tags); !r) return r;
  std::vector<Param> p(params.begin(), params.end());
  for (auto& x : p) x.value = truncate_param_value(x.key, std::move(x.value));
  std::vector<Tag> t(tags.begin(), tags.end());
  for (auto& x : t) x.value = truncate_tag_value(x.key, std::move(x.value));
  auto chunks = split_batch(metrics, p, t);
  if (!chunks) return std::unexpected(chunks.error());
  Result<> result;
  for (auto& c : *chunks) {
    auto r = append({{"t", "batch"}, {"p", std::move(c)}});
    if (!r && result) result = r;
  }
  return result;
}

Result<> SpooledRestStore::log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) {
  if (auto r = check_run(run.run_id); !r) return r;
  nlohmann::json list = nlohmann::json::array();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& d : datasets) {
    if (auto r = validate_dataset(d); !r) return r;
    if (seen.emplace(d.name, d.digest).second) list.push_back(dataset_input_json(d));
  }
  if (list.empty()) return {};
  return append({{"t", "inputs"}, {"p", {{"datasets", list}}}});
}

Result<> SpooledRestStore::log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) {
  if (auto r = check_run(run.run_id); !r) return r;
  if (auto r = validate_artifact_path(rel_path); !r) return r;
  std::string blob;
  {
    std::lock_guard lk(mu_);
    blob = "a" + std::to_string(blob_counter_++);
  }
  std::error_code ec;
  fs::create_directories(files_->blobs, ec);
  // The sender reads it only after the record that names it, so a plain write will do;
  // write_file_atomic keeps a crash from leaving half a file under the final name.
  if (auto r = write_file_atomic(files_->blobs / blob, bytes); !r) {
    std::lock_guard lk(mu_);
    ++spool_failures_;
    return std::unexpected(r.error().with_context("spool"));
  }
  return append({{"t", "artifact"}, {"path", rel_path}, {"blob", blob}});
}

Result<> SpooledRestStore::log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                                             const fs::path& local_file) {
  std::ifstream in(local_file, std::ios::binary);
  if (!in) return make_errno_error("cannot read the file to log as an artifact", errno, local_file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string name = local_file.filename().string();
  return log_artifact(run, rel_dir.empty() ? name : rel_dir + "/" + name, ss.str());
}

Result<> SpooledRestStore::update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) {
  if (auto r = check_run(run_id); !r) return r;
  return append({{"t", "end"}, {"p", {{"status", run_status_name(status)}, {"end_time", end_time_ms}}}});
}

bool SpooledRestStore::drained_locked() const {
  return acked_seq_ >= next_seq_ && memory_.empty() && problems_reported_;
}

Result<> SpooledRestStore::flush(std::chrono::milliseconds budget) {
  std::unique_lock lk(mu_);
  flushed_ = true;
  if (!sender_.joinable()) return {};
  kick_ = true;
  wake_.notify_all();
  const bool drained = progress_.wait_for(lk, budget, [&] { return drained_locked(); });
  if (drained) return {};
  const uint64_t left = next_seq_ - std::min(acked_seq_, next_seq_);
  return make_error(std::to_string(left) + " record(s) of run " + local_run_id_ + " not yet on the server" +
                    (last_error_.empty() ? "" : " (" + last_error_ + ")") +
                    "; they stay in the spool " + spool_dir_.string() +
                    " and are sent by `bpfpads sync` or the next bpfpads run", config_.tracking_uri);
}

std::string SpooledRestStore::run_url(const RunInfo& run) const {
  std::lock_guard lk(mu_);
  if (run.run_id != local_run_id_ || remote_id_.empty()) return {};
  return run_page_url(config_.base_url, remote_experiment_, remote_id_);
}

std::optional<std::string> SpooledRestStore::remote_run_id(const std::string& run_id) const {
  std::lock_guard lk(mu_);
  if (run_id != local_run_id_ || remote_id_.empty()) return std::nullopt;
  return remote_id_;
}

}  // namespace bpfpads
