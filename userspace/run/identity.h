// Who started the run and what it is called.
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

// MLflow-style "adjective-animal-NNN" names from a random source.
std::string generate_run_name();

// 32 lowercase hex digits from getrandom(): an MLflow run id (uuid4().hex form).
std::string random_hex_id();

}  // namespace bpfpads
