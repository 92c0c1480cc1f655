// Pairs the watchpoint events of Python calls into calls: an entry with its return, per
// thread, by frame address. What the events cannot say by themselves:
//  - a call whose return is not seen (an exception unwinds it, or it left through a
//    return unit the debug registers could not cover) ends when a later event shows it
//    gone: a call at its depth or shallower, or its caller's return;
//  - the interpreter's own accesses to a watched unit on a code object's first runs
//    (3.13 rewrites RESUME in place) repeat an entry of a frame already open: dropped;
//  - a return of a call that started before the watch (attach) is not made a call.
// Pure logic, no I/O: the tracker feeds it decoded events.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "kernel/records.h"
#include "pipeline/python_call.h"

namespace bpfpads {

struct PairedCall {
  std::optional<PythonCallEvent> entry;  // absent where only returns are watched
  std::optional<PythonCallEvent> exit;   // absent when the return was not seen
  PythonCallInfo::End end = PythonCallInfo::End::Returned;
  uint64_t user = 0;  // what the caller attached to the entry (a snapshot's index)
};

class CallPairing {
 public:
  // `watches_entry(hook_id)`: whether that hook's calls have a watched entry.
  explicit CallPairing(std::function<bool(uint32_t)> watches_entry) : watches_entry_(std::move(watches_entry)) {}

  // An entry: the calls it shows ended (unseen returns). `accepted` says whether the
  // entry opened a call (false for a repeated access); `user` is kept with it.
  std::vector<PairedCall> on_entry(const PythonCallEvent& e, uint64_t user, bool& accepted);
  // A return: the calls it ends, itself last (or nothing for a return of a call that
  // started before the watch).
  std::vector<PairedCall> on_return(const PythonCallEvent& e);
  // The end of the run: every call still open, as Running.
  std::vector<PairedCall> finish();

  // Whether a call of process `tgid` is open (in any thread).
  bool has_open_call(uint32_t tgid) const;

  uint64_t repeated_entries() const { return repeated_entries_; }
  uint64_t returns_without_entry() const { return returns_without_entry_; }

 private:
  struct Open {
    PythonCallEvent entry;
    uint64_t user;
  };
  using Key = std::pair<uint32_t, uint32_t>;  // tgid, tid
  // Pops the calls of `stack` above `keep` (count kept) as Unseen.
  static void close_above(std::vector<Open>& stack, size_t keep, std::vector<PairedCall>& out);

  std::function<bool(uint32_t)> watches_entry_;
  std::map<Key, std::vector<Open>> open_;
  uint64_t repeated_entries_ = 0;
  uint64_t returns_without_entry_ = 0;
};

}  // namespace bpfpads
