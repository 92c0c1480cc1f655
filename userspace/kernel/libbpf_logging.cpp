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
  // Verifier logs run to many kilobytes and end with the reason: never cut them.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string text(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<size_t>(n));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.rfind("libbpf: ", 0) == 0) text.erase(0, 8);
  if (level == LIBBPF_WARN)
    log::warning("libbpf: " + text);
  else
    log::debug("libbpf: " + text);
  return 0;
}
}  // namespace

void install_libbpf_logging() { libbpf_set_print(print_libbpf); }

}  // namespace bpfpads
