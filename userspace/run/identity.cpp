#include "run/identity.h"

#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace bpfpads {
namespace {

uint64_t random_u64() {
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), 0) != sizeof(v)) v = static_cast<uint64_t>(getpid()) * 2654435761u;
  return v;
}

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

std::string generate_run_name() {
  static constexpr std::array<const char*, 16> adjectives = {
      "bold", "calm", "eager", "fast", "gentle", "keen", "lucid", "merry",
      "nimble", "quiet", "rare", "sharp", "steady", "swift", "vast", "wise"};
  static constexpr std::array<const char*, 16> animals = {
      "badger", "crane", "dolphin", "falcon", "fox", "heron", "ibis", "lynx",
      "marten", "otter", "owl", "panda", "raven", "seal", "swan", "wolf"};
  uint64_t r = random_u64();
  return std::string(adjectives[r % adjectives.size()]) + "-" +
         animals[(r >> 8) % animals.size()] + "-" + std::to_string((r >> 16) % 1000);
}

std::string random_hex_id() {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    uint64_t v = random_u64();
    for (int j = 0; j < 16; ++j, v >>= 4) out += digits[v & 0xf];
  }
  return out;
}

}  // namespace bpfpads
