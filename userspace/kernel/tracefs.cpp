#include "kernel/tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

namespace bpfpads {

Result<> ensure_tracefs() {
  if (::access("/sys/kernel/tracing/events", F_OK) == 0) return {};
  if (::access("/sys/kernel/debug/tracing/events", F_OK) == 0) return {};
  if (::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return make_errno_error("tracefs is not mounted and mounting it failed; run "
                            "'mount -t tracefs nodev /sys/kernel/tracing'",
                            errno, "/sys/kernel/tracing");
  return {};
}

}  // namespace bpfpads
