#include "kernel/libbpf_logging.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/log.h"

namespace bpfpads {
namespace {
int print_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG && log::level() > log::Level::Debug) return 0;
  char buf[4096];
  int n = vsnprintf(buf, sizeof(buf), format, args);
  std::string line(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (level == LIBBPF_WARN)
    log::warning("libbpf: " + line);
  else
    log::debug("libbpf: " + line);
  return 0;
}
}  // namespace

void install_libbpf_logging() { libbpf_set_print(print_libbpf); }

}  // namespace bpfpads
