// Turns a mapping entry's `capture` section into what the kernel side copies
// (bp_hook_spec: which register, which kind, where in the record) and back: the
// values of one call, by capture name, as text for the extract templates.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpfpads_records.h"
#include "common/error.h"
#include "kernel/records.h"
#include "mapping/mapping_model.h"

namespace bpfpads {

struct CaptureField {
  std::string name;   // the argument's name, or "return"
  CaptureType type;
  bool readable = true;  // false: passed in a floating-point register (not visible to BPF)
};

struct HookLayout {
  bp_hook_spec spec{};
  std::vector<CaptureField> fields;  // fields[i] is spec.captures[i]
  std::vector<std::string> warnings; // e.g. a float argument that cannot be read
};

struct LayoutOptions {
  bool usdt = false;      // arguments come from USDT argument specs
  bool paired = false;    // events need the return (timing, hardware, call tree)
  bool hardware = false;  // per-call CPU/IO/fault deltas
};

// Errors name the capture and why (too many bytes, unsupported combination).
Result<HookLayout> compile_hook_layout(const std::optional<CaptureSpec>& capture,
                                       const LayoutOptions& options);

struct CapturedValue {
  std::string text;         // how templates see it: decimal, 0x-hex, true/false, bytes
  bool cut = false;         // a string or buffer longer than its bound
  bool unreadable = false;  // memory that could not be read, or a float register
  bool is_array = false;    // an out array: `elements` holds it, `text` them joined
  std::vector<std::string> elements = {};
};

// Every field of the layout, by name.
std::map<std::string, CapturedValue> decode_captures(const HookLayout& layout,
                                                     const HookCallEvent& call);

}  // namespace bpfpads
