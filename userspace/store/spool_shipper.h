// Sends one spooled run's journal to the server, in order, from where the server's last
// acknowledgement left off. Used by the live sender thread and by `bpfpads sync` alike.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "store/rest_api.h"
#include "store/spool_journal.h"
#include "store/spool_paths.h"
#include "store/spool_state.h"

namespace bpfpads {

class JournalShipper {
 public:
  // `take_lock`: for sync, which must leave a journal alone while its writer lives (fails
  // with "in use"). The live sender passes false: its own writer holds the lock.
  static Result<JournalShipper> open(const SpoolFiles& files, bool take_lock);
  // For a live run whose journal could not be created (disk full): memory records only.
  static JournalShipper memory_only(const SpoolFiles& files);

  // Reads what is new in the journal. Returns the run record's tracking URI once seen.
  Result<> read_new();
  const std::string& tracking_uri() const { return tracking_uri_; }

  // Records that could not be journaled (disk full) but may still be sent: shipped in seq
  // order with the others.
  void add_memory_record(nlohmann::json record) { memory_.emplace(record["seq"].get<uint64_t>(), std::move(record)); }

  // Ships every record read so far, then the problem tags. Stops at the first transient
  // failure (returned; nothing is lost, the next call starts there). A record the server
  // refuses (4xx) is written to <id>.rejected, counted, and skipped.
  RestResult<> ship_available(RestApi& api, const std::function<bool()>& stop = {});

  // The writer is gone for good (sync): counts a torn last line, and if the run never got
  // its end record, ends it as KILLED with the incomplete tag.
  RestResult<> finish_abandoned(RestApi& api);

  bool caught_up() const { return queue_.empty() && memory_.empty(); }
  const SpoolState& state() const { return state_; }
  Result<> save(bool force = false);
  // After a finished run: the journal, state and blobs go; a .rejected file stays.
  void remove_files();
  const SpoolFiles& files() const { return files_; }

 private:
  JournalShipper(SpoolFiles files, UniqueFd lock, std::optional<JournalReader> reader, SpoolState state)
      : files_(std::move(files)), lock_(std::move(lock)), reader_(std::move(reader)), state_(std::move(state)) {}
  RestResult<> ship_record(RestApi& api, const nlohmann::json& rec);
  // How many "batch" records at the head of the queue go as one request (their joined
  // payload in `merged`); 1 when the head cannot be joined with what follows.
  size_t coalesce_head(nlohmann::json& merged) const;
  RestResult<> ship_run(RestApi& api, const nlohmann::json& rec);
  void set_aside(const nlohmann::json& rec, const std::string& why);
  RestResult<> tag_problems(RestApi& api);

  SpoolFiles files_;
  UniqueFd lock_;
  std::optional<JournalReader> reader_;  // none when the journal could not even be created
  SpoolState state_;
  std::deque<nlohmann::json> queue_;
  std::map<uint64_t, nlohmann::json> memory_;
  std::string tracking_uri_;
  size_t solo_ = 0;  // records to send one by one: a joined request with them was refused
  bool dirty_ = false;
  int64_t last_save_ms_ = 0;
};

// The text of the bpfpads.spool_problems tag; empty when there is nothing to report.
std::string spool_problems_text(const SpoolState& s);

}  // namespace bpfpads
