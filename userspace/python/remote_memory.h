// Reads another process's memory (process_vm_readv: the same permission check as
// ptrace attach, and nothing is written or stopped). Every read is bounded by the
// caller; a failed read is an error value, never a crash: the target's memory can
// change or go away while we look.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace bpfpads {

class RemoteMemory {
 public:
  explicit RemoteMemory(pid_t pid) : pid_(pid) {}
  pid_t pid() const { return pid_; }

  Result<> read(uint64_t address, void* out, size_t size) const;

  template <typename T>
  Result<T> read_value(uint64_t address) const {
    T value{};
    if (auto r = read(address, &value, sizeof(value)); !r) return std::unexpected(r.error());
    return value;
  }
  Result<uint64_t> read_pointer(uint64_t address) const { return read_value<uint64_t>(address); }
  Result<std::string> read_bytes(uint64_t address, size_t size) const;
  // `each` bytes at every address, into out[i * each]: a few system calls for many
  // small reads. Which ones could be read.
  std::vector<bool> read_each(const std::vector<uint64_t>& addresses, size_t each, uint8_t* out) const;

 private:
  pid_t pid_;
};

}  // namespace bpfpads
