#include "run/run_types.h"

#include <chrono>

namespace bpfpads {

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Running: return "RUNNING";
    case RunStatus::Finished: return "FINISHED";
    case RunStatus::Failed: return "FAILED";
    case RunStatus::Killed: return "KILLED";
  }
  return "RUNNING";
}

int run_status_number(RunStatus s) {
  switch (s) {
    case RunStatus::Running: return 1;
    case RunStatus::Finished: return 3;
    case RunStatus::Failed: return 4;
    case RunStatus::Killed: return 5;
  }
  return 1;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace bpfpads
