#include "run/output_tail.h"

namespace bpfpads {

void OutputTail::append(std::string_view bytes, bool cut_before) {
  if (cut_before) {
    cut_ = true;
    // Where earlier output stands, mark the gap; at the start the header says it.
    static constexpr std::string_view kGap = "\n[bpfpads: the start of a long write was not kept here]\n";
    if (!buf_.empty()) buf_.insert(buf_.end(), kGap.begin(), kGap.end());
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  while (buf_.size() > max_bytes_) {
    size_t extra = buf_.size() - max_bytes_;
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(extra));
    dropped_ += extra;
  }
}

std::string OutputTail::text() const {
  std::string out;
  if (records_lost_ > 0)
    out = "[bpfpads: incomplete: " + std::to_string(records_lost_) +
          " records were lost on their way from the kernel (ring buffer full); lines may be missing anywhere "
          "below, the last ones included]\n";
  if (dropped_ > 0 || cut_)
    out += "[bpfpads: earlier output not kept; this is the tail" +
          (dropped_ > 0 ? ", " + std::to_string(dropped_) + " bytes dropped" : std::string()) +
          "]\n";
  out.append(buf_.begin(), buf_.end());
  return out;
}

}  // namespace bpfpads
