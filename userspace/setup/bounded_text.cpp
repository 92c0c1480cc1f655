#include "setup/bounded_text.h"

#include <algorithm>

namespace bpfpads {

namespace {
// Room kept for the closing note; its number has at most 20 digits.
constexpr std::size_t kNoteReserve = 64;
}  // namespace

void BoundedText::append(std::string_view text) {
  total_ += text.size();
  if (text_.size() < limit_) text_.append(text.substr(0, limit_ - text_.size()));
}

std::string BoundedText::finish() && {
  if (!truncated()) return std::move(text_);
  std::size_t keep = limit_ > kNoteReserve ? limit_ - kNoteReserve : 0;
  text_.resize(std::min(keep, text_.size()));
  // A half line would look like a real (corrupt) change: cut after the last full line.
  if (auto nl = text_.rfind('\n'); nl != std::string::npos) text_.resize(nl + 1);
  std::size_t cut = total_ - text_.size();
  if (!text_.empty() && text_.back() != '\n') text_ += '\n';
  text_ += "[bpfpads: " + std::to_string(cut) + " bytes cut]\n";
  return std::move(text_);
}

}  // namespace bpfpads
