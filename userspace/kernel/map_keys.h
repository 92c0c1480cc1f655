// The keys of a BPF hash map keyed by u32 (the tracked set: tgids), read once.
#pragma once

#include <bpf/bpf.h>

#include <cstdint>
#include <vector>

namespace bpfpads {

inline std::vector<uint32_t> u32_map_keys(int map_fd) {
  std::vector<uint32_t> keys;
  uint32_t key = 0, next = 0;
  const void* prev = nullptr;
  while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
    keys.push_back(next);
    key = next;
    prev = &key;
  }
  return keys;
}

}  // namespace bpfpads
