#include "store/random_id.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>

namespace bpfpads {
namespace {

Result<> fill_random(void* buf, size_t len) {
  auto* p = static_cast<unsigned char*>(buf);
  while (len > 0) {
    const ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_errno_error("getrandom failed", errno);
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Result<std::string> uuid4_hex() {
  std::array<unsigned char, 16> b{};
  if (auto r = fill_random(b.data(), b.size()); !r) return std::unexpected(r.error());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

Result<std::string> random_experiment_id() {
  std::array<uint64_t, 18> r{};
  if (auto res = fill_random(r.data(), sizeof r); !res) return std::unexpected(res.error());
  std::string out;
  out += static_cast<char>('1' + r[0] % 9);  // no leading zero: the id must stay 18 digits
  for (size_t i = 1; i < r.size(); ++i) out += static_cast<char>('0' + r[i] % 10);
  return out;
}

Result<std::string> random_run_name() {
  static constexpr const char* kAdjectives[] = {
      "amazing", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "fast",
      "gentle", "honest", "keen", "lively", "lucid", "merry", "nimble", "quiet", "rare",
      "sharp", "sleek", "smooth", "steady", "sunny", "swift", "tidy", "vivid", "wise"};
  static constexpr const char* kNouns[] = {
      "ant", "bat", "bee", "cat", "colt", "crab", "crow", "deer", "doe", "duck", "eel",
      "fawn", "finch", "fox", "gnat", "hare", "hawk", "lark", "lynx", "mole", "moth",
      "owl", "ram", "seal", "slug", "swan", "toad", "wasp", "wolf", "wren"};
  std::array<uint32_t, 3> r{};
  if (auto res = fill_random(r.data(), sizeof r); !res) return std::unexpected(res.error());
  return std::string(kAdjectives[r[0] % std::size(kAdjectives)]) + "-" +
         kNouns[r[1] % std::size(kNouns)] + "-" + std::to_string(r[2] % 1000);
}

}  // namespace bpfpads
