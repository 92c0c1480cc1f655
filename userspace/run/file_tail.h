// The tail of a job's stdout or stderr when it is a regular file: read back from the
// file at the end instead of copied from every write(2) in the kernel. The syscall
// tracepoint that copies writes sends every syscall of the machine through the
// kernel's slow path and costs 0.1-0.2 s of start-up to attach.
#pragma once

#include <sys/types.h>

#include <optional>

#include "common/error.h"
#include "kernel/bpf_handles.h"
#include "run/output_tail.h"

namespace bpfpads {

class FileTail {
 public:
  // Watches our `fd`, which the job inherits, when it is a regular file; nullopt
  // when it is anything else (a terminal, a pipe) or cannot be read back.
  static std::optional<FileTail> watch(int fd);

  // Output before this point is not the job's: bpfpads' own start-up, or what the
  // file held before.
  void mark_start();
  // Appends what the file gained since mark_start() to `tail` (only its last
  // `tail`-sized part is read). A file cut shorter meanwhile is read from its start.
  Result<> read_into(OutputTail& tail, size_t max_bytes) const;

  bool same_file(const FileTail& other) const { return dev_ == other.dev_ && ino_ == other.ino_; }

 private:
  FileTail() = default;
  int fd_ = -1;  // ours: its offset is the one the job writes at
  Fd reader_;    // the same file opened for reading (our fd may be write-only)
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t start_ = 0;
};

// /dev/null: nothing to keep, nothing to copy.
bool is_dev_null(int fd);

}  // namespace bpfpads
