// Exponential backoff with jitter for the spool sender: many writers that lost the same
// server must not come back in lockstep (the server restarts into a thundering herd).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace bpfpads {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds(250),
          std::chrono::milliseconds max = std::chrono::seconds(10), uint64_t seed = std::random_device{}());

  // "Equal jitter": the n-th delay is uniform in [d/2, d] with d = min(max, initial * 2^n),
  // so it grows for sure and never comes back to zero between failures.
  std::chrono::milliseconds next();
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_, max_;
  std::mt19937_64 rng_;
  int failures_ = 0;
};

}  // namespace bpfpads
