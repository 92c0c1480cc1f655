// Fallback paths forced on a kernel that would not need them, so that the tests (and
// the vm-tests guests) exercise every fallback on the newest kernel too.
//
//   BPFPADS_FORCE_FALLBACK=attach_cookie,uprobe_multi   bpfpads run ...
//
// names features (the keys of feature_fields()) that bpfpads must treat as missing,
// whatever the kernel says. Code that picks a fallback asks fallback_forced(key)
// next to its own probing. The run records what was forced (bpfpads.degraded).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

inline constexpr const char* kForceFallbackVariable = "BPFPADS_FORCE_FALLBACK";

// The forced feature keys, parsed from `value` (comma separated, blanks ignored).
// An unknown key is an error that names the variable and the key.
Result<std::vector<std::string>> parse_forced_fallbacks(std::string_view value);

// True when the environment forces the fallback for `feature_key`. The variable is
// read once; a bad value is reported by check_forced_fallbacks().
bool fallback_forced(std::string_view feature_key);

// Validates the environment's value; call at start-up so a typo is an error.
Result<> check_forced_fallbacks();

}  // namespace bpfpads
