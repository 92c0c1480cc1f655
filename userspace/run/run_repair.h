// Runs left RUNNING by a collector that is gone (bpfpads and its guard both killed,
// the machine rebooted): each run says who collects it (`bpfpads.collector`: boot id,
// PID and that process's start time, so a reused PID is not taken for it), and a
// run whose collector no longer exists is ended as KILLED with bpfpads.incomplete, by
// `bpfpads repair` and by every `bpfpads run`/`attach` that opens the same store.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "store/store.h"

namespace bpfpads {

inline constexpr char kCollectorTag[] = "bpfpads.collector";

// "<boot id>/<pid>/<start time>" of a process (this one by default).
std::string collector_identity(pid_t pid = 0);
// Whether that process still runs (same boot, same PID, same start time).
bool collector_alive(const std::string& identity);

struct RepairedRun {
  std::string run_id;
  std::string problem;  // empty when it was ended
};

// Ends one run as KILLED with bpfpads.incomplete and `reason` (what was lost and why).
Result<> end_abandoned_run(Store& store, const std::string& run_id, const std::string& reason);

// Ends every open run of `store` whose collector is gone. `by_guard`: the dead
// collector's own guard does it (else a later bpfpads), as the reason says.
std::vector<RepairedRun> repair_open_runs(Store& store, bool by_guard = false);

}  // namespace bpfpads
