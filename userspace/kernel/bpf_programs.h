// Owns bpfpads' core BPF object (bpf/proctree.bpf.c and bpf/library_watch.bpf.c
// linked together): opens it, sets its tunables and map sizes, loads it. The process
// tree probe and the library-load watch attach their programs through it; the hook
// programs are an object of their own (kernel/hook_programs.h) that shares its maps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

struct bpfpads_bpf;  // the bpftool skeleton

namespace bpfpads {

struct SharedMaps;

struct BpfOptions {
  bool follow_children = true;        // PyPads' track_sub_processes
  bool capture_output = false;        // copy the tail of writes to fd 1/2
  bool stop_on_library_load = false;  // load the library watch: hooks need new objects probed
  uint32_t max_processes = 16384;
  uint32_t ring_buffer_bytes = 4u << 20;
};

class BpfPrograms {
 public:
  // With `maps` as its tracked set, ring buffer and drop counters (created with the
  // sizes of `options`).
  static Result<std::unique_ptr<BpfPrograms>> open_and_load(const BpfOptions& options, const SharedMaps& maps);
  ~BpfPrograms();
  BpfPrograms(const BpfPrograms&) = delete;
  BpfPrograms& operator=(const BpfPrograms&) = delete;

  ::bpfpads_bpf* skel() const { return skel_.get(); }
  const BpfOptions& options() const { return options_; }
  // Features this kernel lacks and what the run does without them.
  const std::vector<std::string>& degradations() const { return degradations_; }

 private:
  BpfPrograms() = default;
  struct SkeletonDeleter {
    void operator()(::bpfpads_bpf* skel) const;
  };
  std::unique_ptr<::bpfpads_bpf, SkeletonDeleter> skel_;
  BpfOptions options_;
  std::vector<std::string> degradations_;
};

}  // namespace bpfpads
