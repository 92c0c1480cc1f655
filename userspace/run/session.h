// One run from start to end: resolve the store, load BPF, start or adopt the job,
// sample and record until the last tracked process exits, finish the run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "hooks/hook_engine.h"
#include "run/run_types.h"

namespace bpfpads {

enum class SessionMode { Run, Attach };

struct SessionOptions {
  SessionMode mode = SessionMode::Run;
  std::vector<std::string> command;  // run: the job's argv
  pid_t attach_pid = 0;              // attach: the process to adopt
  bool force_attach = false;         // attach: adopt PID 1, kernel threads, our ancestors too

  std::string tracking_uri;     // empty: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db
  std::string experiment_name;  // empty: $MLFLOW_EXPERIMENT_NAME, else "Default"
  std::string run_name;         // empty: generated
  std::vector<Tag> extra_tags;

  std::chrono::milliseconds interval{1000};
  bool follow_children = true;
  bool log_on_failure = true;
  size_t output_tail_bytes = 64 * 1024;
  bool keep_root = false;  // under sudo, run the job as root instead of the caller
  bool quiet = false;      // no summary
  bool offline_ok = false; // REST store: spool locally when the server cannot be reached

  HookEngineOptions hooks;  // mapping files, --config, hot-hook guard

  bool redact = true;                       // secrets out of everything written (--no-redact)
  std::vector<std::string> redact_patterns;  // --redact REGEX, besides the default rules
};

// Returns the exit status for bpfpads itself: the job's (128+N for signal N),
// or 1-2 for errors of bpfpads before the job ran.
int run_session(const SessionOptions& options);

}  // namespace bpfpads
