// Where spooled runs live and which files make up one: <dir>/<local run id>.journal (the
// records), .state (what the server has acknowledged), .blobs/ (artifact bytes), and
// .rejected (records the server refused, with its answer; kept for the user).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "store/rest_config.h"

namespace bpfpads {

// $BPFPADS_SPOOL_DIR; else /var/lib/bpfpads/spool as root, ~/.local/share/bpfpads/spool
// ($XDG_DATA_HOME/bpfpads/spool) otherwise.
std::filesystem::path default_spool_dir(const EnvLookup& env = process_env());

struct SpoolFiles {
  std::string local_run_id;
  std::filesystem::path journal, state, blobs, rejected;
};
SpoolFiles spool_files(const std::filesystem::path& dir, const std::string& local_run_id);

// Local run ids of the journals in `dir`, sorted oldest first (by modification time).
std::vector<std::string> list_spooled_runs(const std::filesystem::path& dir);

}  // namespace bpfpads
