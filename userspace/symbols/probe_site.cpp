#include "symbols/probe_site.h"

#include <fcntl.h>
#include <unistd.h>

namespace bpfpads {

ProbeSite classify_probe_site(std::span<const uint8_t> b) {
  ProbeSite emulated{true, kEmulatedHitCostUs};
  ProbeSite stepped{false, kSingleSteppedHitCostUs};
  if (b.empty()) return stepped;
  uint8_t op = b[0];
  if (op >= 0x50 && op <= 0x57) return emulated;                                   // push %reg
  if (op == 0x41 && b.size() > 1 && b[1] >= 0x50 && b[1] <= 0x57) return emulated;  // push %r8..%r15
  if (op == 0x90) return emulated;                                                  // nop
  if (op == 0x66 && b.size() > 1 && b[1] == 0x90) return emulated;                  // xchg %ax,%ax
  if (op == 0xe8 || op == 0xe9 || op == 0xeb) return emulated;                       // call, jmp rel
  if (op >= 0x70 && op <= 0x7f) return emulated;                                     // jcc rel8
  if (op == 0x0f && b.size() > 1 && b[1] >= 0x80 && b[1] <= 0x8f) return emulated;  // jcc rel32
  return stepped;
}

ProbeSite probe_site_in_file(const std::string& path, uint64_t file_offset) {
  uint8_t bytes[4] = {};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return classify_probe_site({});
  ssize_t n = pread(fd, bytes, sizeof(bytes), static_cast<off_t>(file_offset));
  close(fd);
  return classify_probe_site(std::span<const uint8_t>(bytes, n > 0 ? static_cast<size_t>(n) : 0));
}

}  // namespace bpfpads
