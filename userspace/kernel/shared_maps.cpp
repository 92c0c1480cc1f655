#include "kernel/shared_maps.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <utility>

#include "bpfpads_records.h"

namespace bpfpads {

Result<SharedMaps> SharedMaps::create(uint32_t max_processes, uint32_t ring_buffer_bytes) {
  SharedMaps maps;
  // The definitions of bpf/maps.bpf.h, sized as the run asks.
  maps.tracked = Fd(bpf_map_create(BPF_MAP_TYPE_HASH, "tracked", sizeof(uint32_t), sizeof(bp_tracked),
                                   max_processes, nullptr));
  if (!maps.tracked.valid()) return make_errno_error("cannot create the tracked-process map", errno, "tracked");
  maps.events = Fd(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0, ring_buffer_bytes, nullptr));
  if (!maps.events.valid()) return make_errno_error("cannot create the ring buffer", errno, "events");
  maps.drops = Fd(bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "drops", sizeof(uint32_t), sizeof(uint64_t),
                                 BP_DROP__COUNT, nullptr));
  if (!maps.drops.valid()) return make_errno_error("cannot create the drop counters", errno, "drops");
  return maps;
}

Result<> SharedMaps::reuse_in(bpf_object* object) const {
  const std::pair<const char*, const Fd*> shared[] = {{"tracked", &tracked}, {"events", &events}, {"drops", &drops}};
  for (auto [name, fd] : shared) {
    bpf_map* map = bpf_object__find_map_by_name(object, name);
    if (!map) return make_error("the BPF object has no map of this name", name);
    if (int err = bpf_map__reuse_fd(map, fd->get()); err)
      return make_errno_error("cannot share the map", err, name);
  }
  return {};
}

}  // namespace bpfpads
