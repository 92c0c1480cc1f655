#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace bpfpads::log {
namespace {
std::atomic<Level> g_level{Level::Info};

void emit(Level lvl, const char* tag, const std::string& msg) {
  if (lvl < g_level.load(std::memory_order_relaxed)) return;
  std::string line = std::string("bpfpads: ") + tag + msg + "\n";
  // One write(2) per line so that lines from the job and from us do not interleave mid-line.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}
}  // namespace

void set_level(Level l) { g_level.store(l); }
Level level() { return g_level.load(); }
void debug(const std::string& m) { emit(Level::Debug, "debug: ", m); }
void info(const std::string& m) { emit(Level::Info, "", m); }
void warning(const std::string& m) { emit(Level::Warning, "warning: ", m); }
void error(const std::string& m) { emit(Level::Error, "error: ", m); }
void hint(const std::string& m) { emit(Level::Error, "hint: ", m); }

}  // namespace bpfpads::log
