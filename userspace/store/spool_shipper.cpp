#include "store/spool_shipper.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "run/run_types.h"
#include "store/rest_batching.h"
#include "store/spool_records.h"

namespace bpfpads {
namespace fs = std::filesystem;

namespace {

RestFailure local_failure(RestFailure::Kind kind, const std::string& what, const std::string& msg) {
  RestFailure f;
  f.kind = kind;
  f.what = what;
  f.server.message = msg;
  return f;
}

}  // namespace

std::string spool_problems_text(const SpoolState& s) {
  std::string out;
  auto add = [&](uint64_t n, const std::string& what) {
    if (n) out += (out.empty() ? "" : "; ") + std::to_string(n) + " " + what;
  };
  add(s.rejected, "record(s) refused by the server (kept in the spool's .rejected file)");
  add(s.damaged, "damaged spool journal line(s) skipped");
  add(s.missing, "record(s) missing from the spool journal (damaged, or not written: disk full?)");
  add(s.from_memory, "record(s) could not be spooled and were sent from memory");
  if (!out.empty() && !s.messages.empty()) out += "; last: " + s.messages.back();
  return out;
}

Result<JournalShipper> JournalShipper::open(const SpoolFiles& files, bool take_lock) {
  UniqueFd lock;
  if (take_lock) {
    lock = UniqueFd(::open(files.journal.c_str(), O_RDONLY | O_CLOEXEC));
    if (!lock.valid()) return make_errno_error("cannot open the spool journal", errno, files.journal.string());
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
      return make_errno_error("in use by a running bpfpads", errno, files.journal.string());
    // Another syncer may have finished and removed it while we waited for the lock.
    struct stat a{}, b{};
    if (::fstat(lock.get(), &a) != 0 || ::stat(files.journal.c_str(), &b) != 0 || a.st_ino != b.st_ino)
      return make_error("already sent by another bpfpads", files.journal.string());
  }
  auto reader = JournalReader::open(files.journal);
  if (!reader) return std::unexpected(reader.error());
  auto state = load_spool_state(files.state);
  if (!state) return std::unexpected(state.error());
  return JournalShipper(files, std::move(lock), std::move(*reader), std::move(*state));
}

JournalShipper JournalShipper::memory_only(const SpoolFiles& files) {
  return JournalShipper(files, UniqueFd(), std::nullopt, SpoolState{});
}

Result<> JournalShipper::read_new() {
  if (!reader_) return {};
  auto scan = reader_->read_new();
  if (!scan) return std::unexpected(scan.error());
  for (const auto& p : scan->problems) {
    if (p.line <= state_.damaged_upto_line) continue;  // counted in an earlier pass
    ++state_.damaged;
    state_.damaged_upto_line = p.line;
    state_.problems_tagged = false;
    state_.note("journal line " + std::to_string(p.line) + ": " + p.what);
    dirty_ = true;
  }
  for (auto& rec : scan->records) {
    if (rec["t"] == "run") tracking_uri_ = rec.value("tracking_uri", "");
    if (rec["seq"].get<uint64_t>() < state_.next_seq) continue;  // acknowledged before
    queue_.push_back(std::move(rec));
  }
  return {};
}

Result<> JournalShipper::save(bool force) {
  if (!dirty_) return {};
  const int64_t now = now_ms();
  // Acks are saved at most every 300 ms: a crash resends a few records, which the server
  // takes as no-ops; the server's run id is always saved at once (force).
  if (!force && now - last_save_ms_ < 300) return {};
  if (auto r = save_spool_state(files_.state, state_); !r) return r;
  dirty_ = false;
  last_save_ms_ = now;
  return {};
}

void JournalShipper::set_aside(const nlohmann::json& rec, const std::string& why) {
  ++state_.rejected;
  state_.problems_tagged = false;
  state_.note(why);
  std::ofstream out(files_.rejected, std::ios::app);
  out << nlohmann::json{{"record", rec}, {"error", why}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
}

RestResult<> JournalShipper::ship_run(RestApi& api, const nlohmann::json& rec) {
  if (!state_.server_run_id.empty() || state_.run_rejected) return {};
  const std::string local = rec.value("local_run_id", files_.local_run_id);
  std::string exp = rec.value("experiment_id", "");
  if (const std::string name = rec.value("experiment_name", ""); !name.empty()) {
    auto id = api.get_or_create_experiment(name);
    if (!id) return std::unexpected(id.error());
    exp = *id;
  }
  // runs/create may have succeeded without us hearing the answer: look before creating.
  auto found = api.find_run_by_tag(exp, kLocalRunIdTag, local);
  if (!found) return std::unexpected(found.error());
  RemoteRun run;
  if (*found) {
    run = **found;
  } else {
    nlohmann::json body = rec.value("create", nlohmann::json::object());
    body["experiment_id"] = exp;
    auto created = api.create_run(body);
    if (!created) return std::unexpected(created.error());
    run = *created;
  }
  state_.server_run_id = run.run_id;
  state_.experiment_id = run.experiment_id.empty() ? exp : run.experiment_id;
  state_.artifact_uri = run.artifact_uri;
  dirty_ = true;
  if (auto r = save(true); !r)
    return std::unexpected(local_failure(RestFailure::Kind::Transient, "spool state", r.error().describe()));
  return {};
}

RestResult<> JournalShipper::ship_record(RestApi& api, const nlohmann::json& rec) {
  const std::string t = rec["t"];
  const std::string what = t + " record " + std::to_string(rec["seq"].get<uint64_t>());
  RestResult<> r;
  if (t == "run") {
    r = ship_run(api, rec);
    if (!r && !r.error().transient()) {
      state_.run_rejected = true;
      set_aside(rec, r.error().describe());
      return {};
    }
    return r;
  }
  if (state_.run_rejected || state_.server_run_id.empty()) {
    set_aside(rec, what + ": the run could not be created on the server (its record was refused or damaged)");
    return {};
  }
  const std::string& id = state_.server_run_id;
  if (t == "batch") {
    r = api.post("runs/log-batch", body_with_run_id(id, rec["p"]));
  } else if (t == "inputs") {
    r = api.post("runs/log-inputs", body_with_run_id(id, rec["p"]));
  } else if (t == "end") {
    r = api.post("runs/update", body_with_run_id(id, rec["p"]));
    if (r) state_.finished = true;
  } else if (t == "artifact") {
    const fs::path blob = files_.blobs / rec.value("blob", "");
    std::ifstream in(blob, std::ios::binary);
    if (!in) {
      set_aside(rec, what + ": artifact bytes missing from the spool (" + blob.string() + ")");
      return {};
    }
    std::stringstream ss;
    ss << in.rdbuf();
    r = api.upload_artifact(state_.artifact_uri, rec.value("path", ""), ss.str());
  } else {
    set_aside(rec, what + ": unknown record type");
    return {};
  }
  if (!r && !r.error().transient()) {
    set_aside(rec, r.error().describe());
    return {};
  }
  return r;
}

size_t JournalShipper::coalesce_head(nlohmann::json& merged) const {
  if (solo_ > 0 || state_.server_run_id.empty() || state_.run_rejected) return 1;
  BatchCoalescer c;
  uint64_t expect = queue_.front()["seq"].get<uint64_t>();
  for (const auto& rec : queue_) {
    // Only consecutive seqs: a gap is counted as missing when it reaches the head.
    if (rec["t"] != "batch" || rec["seq"].get<uint64_t>() != expect || !c.add(rec["p"])) break;
    ++expect;
  }
  if (c.payloads() > 1) merged = c.payload();
  return std::max<size_t>(1, c.payloads());
}

RestResult<> JournalShipper::tag_problems(RestApi& api) {
  if (state_.problems_tagged || state_.server_run_id.empty() || state_.run_rejected) return {};
  const std::string text = spool_problems_text(state_);
  nlohmann::json tags = nlohmann::json::array({{{"key", kSpoolProblemsTag}, {"value", text.substr(0, 7900)}}});
  if (state_.rejected || state_.damaged || state_.missing) tags.push_back({{"key", kIncompleteTag}, {"value", "true"}});
  auto r = api.post("runs/log-batch", body_with_run_id(state_.server_run_id, {{"tags", tags}}));
  if (!r && r.error().transient()) return r;
  state_.problems_tagged = true;
  dirty_ = true;
  return {};
}

RestResult<> JournalShipper::ship_available(RestApi& api, const std::function<bool()>& stop) {
  // Records the journal could not take wait in memory; merge them in by seq.
  for (auto it = memory_.begin(); it != memory_.end();) {
    if (it->first < state_.next_seq) { it = memory_.erase(it); continue; }
    auto pos = std::find_if(queue_.begin(), queue_.end(),
                            [&](const nlohmann::json& r) { return r["seq"].get<uint64_t>() > it->first; });
    queue_.insert(pos, std::move(it->second));
    it = memory_.erase(it);
    ++state_.from_memory;
    state_.problems_tagged = false;
  }
  RestResult<> result;
  while (!queue_.empty()) {
    if (stop && stop()) {
      result = std::unexpected(local_failure(RestFailure::Kind::Transient, "sender", "stopped"));
      break;
    }
    const uint64_t seq = queue_.front()["seq"].get<uint64_t>();
    if (seq > state_.next_seq) {  // a gap: these records never made it into the journal
      state_.missing += seq - state_.next_seq;
      state_.problems_tagged = false;
      state_.note("records " + std::to_string(state_.next_seq) + ".." + std::to_string(seq - 1) +
                  " missing from the spool journal");
      state_.next_seq = seq;  // counted once, even if this record must be retried
      dirty_ = true;
    }
    // Several batch records in one request: acknowledged together, resent together. A
    // resend after a lost answer is harmless: the server ignores metric points it has,
    // takes an unchanged param, and overwrites a tag with the same value.
    nlohmann::json merged;
    size_t n = coalesce_head(merged);
    RestResult<> r;
    if (n > 1) {
      r = api.post("runs/log-batch", body_with_run_id(state_.server_run_id, merged));
      if (!r && !r.error().transient()) {
        solo_ = n;  // refused as a whole: send them one by one, so only the bad one is set aside
        n = 1;
      }
    }
    if (n == 1) {
      r = ship_record(api, queue_.front());
      if (r && solo_ > 0) --solo_;
    }
    if (!r) {
      result = r;
      break;
    }
    state_.next_seq = queue_[n - 1]["seq"].get<uint64_t>() + 1;
    dirty_ = true;
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (result) result = tag_problems(api);
  (void)save(!result);
  return result;
}

RestResult<> JournalShipper::finish_abandoned(RestApi& api) {
  if (reader_ && reader_->pending_bytes() > 0 && !state_.finished) {
    ++state_.damaged;
    state_.problems_tagged = false;
    state_.note("the journal's last line is torn (bpfpads stopped while writing it)");
    dirty_ = true;
  }
  if (!state_.finished && !state_.server_run_id.empty() && !state_.run_rejected) {
    ++state_.missing;  // the end record
    state_.problems_tagged = false;
    state_.note("the run's end was never recorded (bpfpads stopped early); marked KILLED");
    auto r = api.post("runs/update", body_with_run_id(state_.server_run_id,
                                                      {{"status", "KILLED"}, {"end_time", now_ms()}}));
    if (!r && r.error().transient()) return r;
    state_.finished = true;
    dirty_ = true;
  }
  if (state_.server_run_id.empty()) state_.finished = true;  // nothing could ever be sent
  auto r = tag_problems(api);
  (void)save(true);
  return r;
}

void JournalShipper::remove_files() {
  std::error_code ec;
  fs::remove_all(files_.blobs, ec);
  fs::remove(files_.state, ec);
  fs::remove(files_.journal, ec);
}

}  // namespace bpfpads
