// What the server has acknowledged for one spooled run, persisted next to its journal:
// the server's run id (so a resend never creates a second run) and the next record to send.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"

namespace bpfpads {

struct SpoolState {
  std::string server_run_id;     // empty until runs/create answered
  std::string experiment_id;     // the server's
  std::string artifact_uri;      // the server's, for uploads
  uint64_t next_seq = 0;         // records with a smaller seq are acknowledged or set aside
  uint64_t rejected = 0;         // refused by the server (4xx), in <id>.rejected
  uint64_t damaged = 0;          // journal lines that failed their CRC or were torn
  uint64_t damaged_upto_line = 0;  // damaged lines up to here are counted already
  uint64_t missing = 0;          // seq gaps: damaged lines, or records that never reached it
  uint64_t from_memory = 0;      // could not be spooled (disk full?) but were sent from memory
  bool run_rejected = false;     // runs/create itself was refused: nothing can ship
  bool finished = false;         // the end record (runs/update) was acknowledged
  bool problems_tagged = true;   // the counters above are shown on the run
  std::vector<std::string> messages;  // the last few problems, for the summary

  void note(std::string message);  // keeps the last 10
};

// nullopt-like: a missing file is a fresh state. A damaged one is an error (we would
// rather stop than create the run twice).
Result<SpoolState> load_spool_state(const std::filesystem::path& path);
// Atomically (tmp, fsync, rename, fsync dir): the server's run id must survive a crash.
Result<> save_spool_state(const std::filesystem::path& path, const SpoolState& state);

}  // namespace bpfpads
