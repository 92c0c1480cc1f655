// The last N bytes a job wrote to stdout and stderr, kept for a failed run.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace bpfpads {

class OutputTail {
 public:
  explicit OutputTail(size_t max_bytes) : max_bytes_(max_bytes) {}
  // `cut_before`: the kernel kept only the tail of this write; a marker line then
  // stands where the rest of it was.
  void append(std::string_view bytes, bool cut_before);
  // Records were lost on their way from the kernel (ring buffer full): some of the
  // output may be missing anywhere, its end included. Said at the top of text().
  void mark_records_lost(uint64_t records) { records_lost_ = records; }
  // The kept bytes; starts with a marker line when anything was dropped.
  std::string text() const;
  uint64_t dropped_bytes() const { return dropped_; }
  bool empty() const { return buf_.empty() && dropped_ == 0; }

 private:
  size_t max_bytes_;
  std::deque<char> buf_;
  uint64_t dropped_ = 0;
  bool cut_ = false;
  uint64_t records_lost_ = 0;
};

}  // namespace bpfpads
