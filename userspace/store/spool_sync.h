// `bpfpads sync`: sends what earlier runs left in the spool (server down, drain budget
// over, bpfpads killed), each journal from where its server acknowledgements stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

#include "store/spool_paths.h"

namespace bpfpads {

struct SyncOptions {
  std::filesystem::path spool_dir;  // empty: default_spool_dir() ($BPFPADS_SPOOL_DIR, ...)
  std::string tracking_uri;         // only runs for this server; empty: every run, each to its own
  std::chrono::milliseconds max_wait{60000};  // in all, retries of an unreachable server included
  bool quiet = false;               // only problems are printed
};

// Prints one line per run and a summary on stdout (problems on stderr). Credentials come
// from the environment, as for `bpfpads run` (the spool never stores them).
// Exit code: 0 the spool holds nothing more to send; 1 runs remain (server unreachable,
// a live bpfpads still writing one, time over); 2 bad options.
int sync_spool(const SyncOptions& options);

enum class JournalSyncResult { Done, Busy, Skipped, Pending };
struct JournalSyncOutcome {
  JournalSyncResult result = JournalSyncResult::Pending;
  std::string message;  // what was sent and what went wrong
};

// One journal: takes its lock (Busy while its writer lives), sends it to the end (retrying
// with backoff until `deadline`), ends a run its writer abandoned, and removes the files.
// `only_base_url` non-empty: other servers' journals are Skipped.
JournalSyncOutcome sync_journal(const SpoolFiles& files, const std::string& only_base_url,
                                const std::atomic<bool>* cancel, const std::function<bool()>& stop,
                                std::chrono::steady_clock::time_point deadline);

}  // namespace bpfpads
