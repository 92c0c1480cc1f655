// A text buffer with a size limit that still counts what it dropped, so that a
// cut artifact can say how much is missing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bpfpads {

class BoundedText {
 public:
  explicit BoundedText(std::size_t limit) : limit_(limit) {}

  void append(std::string_view text);

  std::size_t total_bytes() const { return total_; }
  bool truncated() const { return total_ > limit_; }

  // The text, at most `limit` bytes. When cut, it is cut at a line end and ends
  // with the line "[bpfpads: N bytes cut]".
  std::string finish() &&;

 private:
  std::size_t limit_;
  std::size_t total_ = 0;
  std::string text_;  // the first `limit_` bytes
};

}  // namespace bpfpads
