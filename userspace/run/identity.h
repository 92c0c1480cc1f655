// Who started the run.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace bpfpads {

struct InvokingUser {
  uid_t uid;
  gid_t gid;
  std::string name;
  bool via_sudo;  // true when SUDO_UID named the caller
};

// The user behind sudo (SUDO_UID/SUDO_GID/SUDO_USER) or else the real user.
InvokingUser invoking_user();

}  // namespace bpfpads
