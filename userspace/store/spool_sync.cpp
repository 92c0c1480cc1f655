#include "store/spool_sync.h"

#include <iostream>
#include <thread>

#include "store/rest_api.h"
#include "store/spool_backoff.h"
#include "store/spool_shipper.h"

namespace bpfpads {
using Clock = std::chrono::steady_clock;

JournalSyncOutcome sync_journal(const SpoolFiles& files, const std::string& only_base_url,
                                const std::atomic<bool>* cancel, const std::function<bool()>& stop,
                                Clock::time_point deadline) {
  JournalSyncOutcome out;
  auto shipper = JournalShipper::open(files, true);
  if (!shipper) {
    out.result = shipper.error().message.starts_with("in use") ? JournalSyncResult::Busy
                 : shipper.error().message.starts_with("already sent") ? JournalSyncResult::Skipped
                                                                          : JournalSyncResult::Pending;
    out.message = shipper.error().describe();
    return out;
  }
  if (auto r = shipper->read_new(); !r) {
    out.message = r.error().describe();
    return out;
  }
  const std::string uri = shipper->tracking_uri();
  if (uri.empty()) {
    out.message = "the journal's run record is damaged or missing; nothing can be sent (" +
                  files.journal.string() + ")";
    return out;
  }
  auto config = rest_config_from(uri);
  if (!config) {
    out.message = config.error().describe();
    return out;
  }
  if (!only_base_url.empty() && config->base_url != only_base_url) {
    out.result = JournalSyncResult::Skipped;
    return out;
  }
  RestApi api(*config, cancel);
  Backoff backoff(std::chrono::milliseconds(250), std::chrono::seconds(5));
  for (;;) {
    auto r = shipper->ship_available(api, stop);
    if (r) r = shipper->finish_abandoned(api);
    if (r) break;
    const auto delay = backoff.next();
    if ((stop && stop()) || Clock::now() + delay > deadline) {
      out.message = "left in the spool: " + r.error().describe();
      return out;
    }
    std::this_thread::sleep_for(delay);
  }
  const SpoolState& st = shipper->state();
  out.result = JournalSyncResult::Done;
  out.message = "run " + files.local_run_id + " -> " +
                (st.server_run_id.empty() ? std::string("(not created)") : st.server_run_id) + " on " + uri;
  if (const std::string problems = spool_problems_text(st); !problems.empty()) out.message += " (" + problems + ")";
  shipper->remove_files();
  return out;
}

int sync_spool(const SyncOptions& options) {
  const auto dir = options.spool_dir.empty() ? default_spool_dir() : options.spool_dir;
  std::string only;
  if (!options.tracking_uri.empty()) {
    auto cfg = rest_config_from(options.tracking_uri);
    if (!cfg) {
      std::cerr << "bpfpads sync: " << cfg.error().describe() << "\n";
      return 2;
    }
    only = cfg->base_url;
  }
  const auto deadline = Clock::now() + options.max_wait;
  size_t sent = 0, busy = 0, pending = 0;
  for (const auto& id : list_spooled_runs(dir)) {
    auto out = sync_journal(spool_files(dir, id), only, nullptr, {}, deadline);
    switch (out.result) {
      case JournalSyncResult::Done:
        ++sent;
        if (!options.quiet) std::cout << "sent " << out.message << "\n";
        break;
      case JournalSyncResult::Busy:
        ++busy;
        if (!options.quiet) std::cout << "skipped run " << id << ": still being written by a running bpfpads\n";
        break;
      case JournalSyncResult::Skipped:
        break;
      case JournalSyncResult::Pending:
        ++pending;
        std::cerr << "bpfpads sync: run " << id << ": " << out.message << "\n";
        break;
    }
  }
  std::cout << "bpfpads sync: " << sent << " run(s) sent, " << pending << " left in " << dir.string()
            << (busy ? ", " + std::to_string(busy) + " in use by a running bpfpads" : "") << "\n";
  return pending ? 1 : 0;
}

}  // namespace bpfpads
