#include "python/remote_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace bpfpads {
namespace {

std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<> RemoteMemory::read(uint64_t address, void* out, size_t size) const {
  if (size == 0) return {};
  if (address == 0) return make_error("null pointer in the target's memory", "pid " + std::to_string(pid_));
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  ssize_t n = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(size)) return {};
  int e = n < 0 ? errno : EFAULT;
  return make_errno_error("cannot read " + std::to_string(size) + " bytes at " + hex(address), e,
                          "pid " + std::to_string(pid_));
}

std::vector<bool> RemoteMemory::read_each(const std::vector<uint64_t>& addresses, size_t each, uint8_t* out) const {
  std::vector<bool> ok(addresses.size(), false);
  constexpr size_t kBatch = 512;  // below IOV_MAX
  for (size_t start = 0; start < addresses.size();) {
    size_t n = std::min(kBatch, addresses.size() - start);
    std::vector<iovec> remote(n);
    for (size_t i = 0; i < n; ++i) remote[i] = {reinterpret_cast<void*>(addresses[start + i]), each};
    iovec local{out + start * each, n * each};
    // It stops at the first unreadable one: that one is skipped, the rest read again.
    ssize_t got = process_vm_readv(pid_, &local, 1, remote.data(), n, 0);
    size_t whole = got > 0 ? static_cast<size_t>(got) / each : 0;
    for (size_t i = 0; i < whole; ++i) ok[start + i] = true;
    start += whole + (whole < n ? 1 : 0);
  }
  return ok;
}

Result<std::string> RemoteMemory::read_bytes(uint64_t address, size_t size) const {
  std::string out(size, '\0');
  if (auto r = read(address, out.data(), size); !r) return std::unexpected(r.error());
  return out;
}

}  // namespace bpfpads
