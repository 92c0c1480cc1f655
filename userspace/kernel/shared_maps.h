// The maps that every BPF object of bpfpads shares (bpf/maps.bpf.h): the tracked
// process set, the ring buffer and the drop counters. Created before any object is
// loaded, so that the core object and the hook programs can be verified at the same
// time, each pointing its own copies of these maps at them (bpf_map__reuse_fd).
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>

#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

struct SharedMaps {
  Fd tracked;
  Fd events;
  Fd drops;

  static Result<SharedMaps> create(uint32_t max_processes, uint32_t ring_buffer_bytes);
  // Before `object` is loaded: its maps of the same names become these.
  Result<> reuse_in(bpf_object* object) const;
};

}  // namespace bpfpads
