// Decoding of ring-buffer records into typed events. Pure userspace: unit-tested
// with synthetic bytes, no root. A record whose size does not match its type is
// rejected, never guessed at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "bpfpads_records.h"
#include "common/error.h"

namespace bpfpads {

struct ProcForkEvent {
  uint64_t ts_ns;
  uint32_t parent_tgid;
  uint32_t child_tgid;
};

struct ProcExecEvent {
  uint64_t ts_ns;
  uint32_t tgid;
  std::string filename;
  bool cut;
};

struct ProcExitEvent {
  uint64_t ts_ns;
  uint32_t tgid;
  uint32_t exit_code;  // wait(2) status
  uint64_t maxrss_pages;
};

struct OutputEvent {
  uint64_t ts_ns;
  uint32_t tgid;
  uint32_t fd;
  std::string bytes;
  bool cut;  // the write was longer; `bytes` is its tail
};

using KernelEvent = std::variant<ProcForkEvent, ProcExecEvent, ProcExitEvent, OutputEvent>;

Result<KernelEvent> decode_record(const void* data, size_t size);

}  // namespace bpfpads
