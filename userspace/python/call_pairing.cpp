#include "python/call_pairing.h"

namespace bpfpads {

void CallPairing::close_above(std::vector<Open>& stack, size_t keep, std::vector<PairedCall>& out) {
  while (stack.size() > keep) {
    out.push_back({stack.back().entry, std::nullopt, PythonCallInfo::End::Unseen, stack.back().user});
    stack.pop_back();
  }
}

std::vector<PairedCall> CallPairing::on_entry(const PythonCallEvent& e, uint64_t user, bool& accepted) {
  std::vector<PairedCall> out;
  auto& stack = open_[{e.tgid, e.tid}];
  accepted = false;
  if (!stack.empty() && stack.back().entry.frame == e.frame && stack.back().entry.code == e.code) {
    ++repeated_entries_;
    return out;
  }
  // An open call at this depth or deeper cannot be a caller of this one: it is over.
  size_t keep = stack.size();
  while (keep > 0 && stack[keep - 1].entry.depth >= e.depth) --keep;
  close_above(stack, keep, out);
  stack.push_back({e, user});
  accepted = true;
  return out;
}

std::vector<PairedCall> CallPairing::on_return(const PythonCallEvent& e) {
  std::vector<PairedCall> out;
  auto& stack = open_[{e.tgid, e.tid}];
  for (size_t i = stack.size(); i-- > 0;) {
    if (stack[i].entry.frame != e.frame || stack[i].entry.code != e.code) continue;
    close_above(stack, i + 1, out);
    out.push_back({stack[i].entry, e, PythonCallInfo::End::Returned, stack[i].user});
    stack.pop_back();
    return out;
  }
  if (watches_entry_(e.hook_id)) {
    ++returns_without_entry_;  // started before the watch: not a call of ours
    return out;
  }
  // Only its returns are watched: the call is this event; deeper open calls are over.
  size_t keep = stack.size();
  while (keep > 0 && stack[keep - 1].entry.depth > e.depth) --keep;
  close_above(stack, keep, out);
  out.push_back({std::nullopt, e, PythonCallInfo::End::Returned, 0});
  return out;
}

bool CallPairing::has_open_call(uint32_t tgid) const {
  for (const auto& [key, stack] : open_)
    if (key.first == tgid && !stack.empty()) return true;
  return false;
}

std::vector<PairedCall> CallPairing::finish() {
  std::vector<PairedCall> out;
  for (auto& [key, stack] : open_) {
    for (auto& o : stack) out.push_back({o.entry, std::nullopt, PythonCallInfo::End::Running, o.user});
    stack.clear();
  }
  return out;
}

}  // namespace bpfpads
