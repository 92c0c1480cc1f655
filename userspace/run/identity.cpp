#include "run/identity.h"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

namespace bpfpads {
namespace {

std::string user_name_of(uid_t uid) {
  passwd pw{};
  passwd* out = nullptr;
  std::array<char, 4096> buf{};
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &out) == 0 && out) return pw.pw_name;
  return std::to_string(uid);
}

}  // namespace

InvokingUser invoking_user() {
  const char* sudo_uid = std::getenv("SUDO_UID");
  const char* sudo_gid = std::getenv("SUDO_GID");
  if (sudo_uid && sudo_gid && getuid() == 0) {
    uid_t uid = static_cast<uid_t>(std::strtoul(sudo_uid, nullptr, 10));
    gid_t gid = static_cast<gid_t>(std::strtoul(sudo_gid, nullptr, 10));
    const char* sudo_user = std::getenv("SUDO_USER");
    return {uid, gid, sudo_user ? sudo_user : user_name_of(uid), true};
  }
  return {getuid(), getgid(), user_name_of(getuid()), false};
}

}  // namespace bpfpads
