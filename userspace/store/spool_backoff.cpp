#include "store/spool_backoff.h"

#include <algorithm>

namespace bpfpads {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(max, initial)), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  int64_t d = initial_.count();
  for (int i = 0; i < failures_ && d < max_.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, max_.count());
  ++failures_;
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return std::chrono::milliseconds(jitter(rng_));
}

}  // namespace bpfpads
