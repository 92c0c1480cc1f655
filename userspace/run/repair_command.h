// `bpfpads repair`: ends the runs of a store whose collector is gone (run/run_repair.h);
// for a tracking server, ships what the spool holds as `bpfpads sync` does, which ends
// an abandoned run the same way.
#pragma once

#include <string>

namespace bpfpads {

// Prints a line per run it ended and a summary; 0 when every open run could be judged.
int repair_command(const std::string& tracking_uri);

}  // namespace bpfpads
