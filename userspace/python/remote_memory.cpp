#include "python/remote_memory.h"

#include <sys/uio.h>

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

Result<std::string> RemoteMemory::read_bytes(uint64_t address, size_t size) const {
  std::string out(size, '\0');
  if (auto r = read(address, out.data(), size); !r) return std::unexpected(r.error());
  return out;
}

}  // namespace bpfpads
