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

struct HookCallEvent {
  uint32_t tgid;
  uint32_t tid;
  uint32_t hook_id;
  uint32_t depth;        // paired calls of the thread already in flight
  bool returned;         // entry and return were paired in the kernel
  bool nested_same;      // the same hook is in flight further down the thread
  uint64_t entry_ns;     // CLOCK_MONOTONIC
  uint64_t return_ns;
  uint64_t args[BP_MAX_ARGS];
  uint64_t ret;
  uint64_t values[BP_MAX_CAPTURES];
  bp_capture_slot slots[BP_MAX_CAPTURES];
  bp_call_hardware hardware;
  // The capture data area (BP_HOOK_DATA_MAX bytes) for hooks with string/buffer
  // captures, else empty. Where each capture sits is in the hook's layout.
  std::string data;
};

struct LibraryLoadedEvent {
  uint32_t tgid;
  uint32_t tid;
  bool stopped;  // the process waits for SIGCONT
  uint64_t ts_ns;  // when it was stopped, CLOCK_MONOTONIC
};

// A watched Python code object began to run (bpf/python.bpf.c).
struct PythonCallEvent {
  uint32_t tgid;
  uint32_t tid;
  uint32_t hook_id;
  bool is_return;          // a return unit, not the first one
  uint32_t depth;          // watched frames below this one in the thread
  bool locals_unreadable;
  uint64_t ts_ns;  // CLOCK_MONOTONIC
  uint64_t code;
  uint64_t frame;
  uint64_t function;  // the frame's function object (3.11+), else 0
  uint64_t ip;     // where the watchpoint trapped
  uint64_t locals[BP_PY_LOCALS];
  uint64_t local_types[BP_PY_LOCALS];  // each slot's type at the event
  uint64_t ret;            // the returned object (0: a constant, or not a return)
  uint64_t ret_head[4];    // its first 32 bytes at the return
};

using KernelEvent = std::variant<ProcForkEvent, ProcExecEvent, ProcExitEvent, OutputEvent,
                                 HookCallEvent, LibraryLoadedEvent, PythonCallEvent>;

Result<KernelEvent> decode_record(const void* data, size_t size);

}  // namespace bpfpads
