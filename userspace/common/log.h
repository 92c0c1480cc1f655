// Diagnostics on stderr, never stdout: the job's own output passes through there.
#pragma once

#include <string>

namespace bpfpads::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3, Quiet = 4 };

void set_level(Level level);
Level level();

void debug(const std::string& msg);
void info(const std::string& msg);
void warning(const std::string& msg);
void error(const std::string& msg);
// A follow-up line that tells the user how to fix the error printed before it.
void hint(const std::string& msg);

}  // namespace bpfpads::log
