#include "hooks/hook_layout.h"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "store/py_float.h"

namespace bpfpads {
namespace {

constexpr int kIntRegisters = BP_MAX_ARGS;  // rdi rsi rdx rcx r8 r9 (x86-64 System V)

uint8_t int_size(CaptureKind k) {
  switch (k) {
    case CaptureKind::I8: case CaptureKind::U8: case CaptureKind::Bool: return 1;
    case CaptureKind::I16: case CaptureKind::U16: return 2;
    case CaptureKind::I32: case CaptureKind::U32: case CaptureKind::F32: return 4;
    default: return 8;
  }
}

bool is_text(CaptureKind k) { return k == CaptureKind::Str || k == CaptureKind::Bytes; }

// Places a string/buffer in the data area; false when it does not fit.
bool place(HookLayout& layout, bp_capture_spec& cap, uint32_t bound, uint32_t& used) {
  if (bound == 0) bound = kDefaultStringBound;
  if (used + bound > BP_HOOK_DATA_MAX) return false;
  cap.offset = static_cast<uint16_t>(used);
  cap.max_len = static_cast<uint16_t>(bound);
  used += bound;
  layout.spec.flags |= BP_HOOK_HAS_DATA;
  return true;
}

// An out array: elements of int_size bytes (numbers) or pointers to strings of
// int_size bytes, counted by an earlier integer capture or filling their bound.
Result<> place_array(HookLayout& layout, const CapturedArg& arg, bp_capture_spec& cap, uint32_t& used) {
  const CaptureType& t = arg.type;
  const bool strings = t.kind == CaptureKind::Str;
  if (t.kind == CaptureKind::Bytes) return make_error("out bytes arrays are not supported", "capture " + arg.name);
  if (strings && t.bound > 255)
    return make_error("strings of an array are at most 255 bytes each", "capture " + arg.name);
  cap.kind = strings ? BP_CAP_OUT_STR_ARRAY : BP_CAP_OUT_ARRAY;
  cap.int_size = static_cast<uint8_t>(strings ? t.bound : int_size(t.kind));
  cap.len_arg = BP_ARRAY_FULL;
  uint32_t count = t.array;
  if (!t.array_length.empty()) {
    auto it = std::find_if(layout.fields.begin(), layout.fields.end(),
                           [&](const CaptureField& f) { return f.name == t.array_length; });
    if (it == layout.fields.end() || !it->type.is_integer() || it->type.array)
      return make_error("element count '" + t.array_length + "' must be an integer captured before the array",
                        "capture " + arg.name);
    cap.len_arg = static_cast<uint8_t>(it - layout.fields.begin());
    // A count taken from a capture is only a cap: the array gets what room is left.
    count = std::min<uint32_t>(count, (BP_HOOK_DATA_MAX - std::min<uint32_t>(used, BP_HOOK_DATA_MAX)) / cap.int_size);
  }
  if (count == 0 || !place(layout, cap, count * cap.int_size, used))
    return make_error("string and buffer captures of this hook need more than " + std::to_string(BP_HOOK_DATA_MAX) +
                          " bytes per call; give the array fewer elements",
                      "capture " + arg.name);
  return {};
}

std::string format_integer(CaptureKind kind, uint64_t raw) {
  char buf[32];
  switch (kind) {
    case CaptureKind::I8: return std::to_string(static_cast<int8_t>(raw));
    case CaptureKind::I16: return std::to_string(static_cast<int16_t>(raw));
    case CaptureKind::I32: return std::to_string(static_cast<int32_t>(raw));
    case CaptureKind::I64: return std::to_string(static_cast<int64_t>(raw));
    case CaptureKind::U8: return std::to_string(static_cast<uint8_t>(raw));
    case CaptureKind::U16: return std::to_string(static_cast<uint16_t>(raw));
    case CaptureKind::U32: return std::to_string(static_cast<uint32_t>(raw));
    case CaptureKind::U64: return std::to_string(raw);
    case CaptureKind::Bool: return (raw & 0xff) ? "true" : "false";
    case CaptureKind::F32: return python_float_repr(std::bit_cast<float>(static_cast<uint32_t>(raw)));
    case CaptureKind::F64: return python_float_repr(std::bit_cast<double>(raw));
    case CaptureKind::Ptr:
    default:
      snprintf(buf, sizeof(buf), "0x%" PRIx64, raw);
      return buf;
  }
}

void decode_array(const CaptureField& f, const bp_capture_spec& cap, const bp_capture_slot& slot,
                  const std::string& data, CapturedValue& v) {
  v.is_array = true;
  const size_t elem = cap.int_size;
  if (elem == 0) return;
  const bool strings = f.type.kind == CaptureKind::Str;
  const size_t count = strings ? slot.len : std::min<size_t>(slot.len, cap.max_len) / elem;
  for (size_t k = 0; k < count; ++k) {
    size_t off = cap.offset + k * elem;
    if (off + elem > data.size()) break;
    if (strings) {
      const char* s = data.data() + off;
      v.elements.emplace_back(s, strnlen(s, elem));
    } else {
      uint64_t raw = 0;
      std::memcpy(&raw, data.data() + off, elem);  // little-endian: the low bytes
      v.elements.push_back(format_integer(f.type.kind, raw));
    }
  }
  for (const auto& e : v.elements) v.text += (v.text.empty() ? "" : ",") + e;
}

}  // namespace

Result<HookLayout> compile_hook_layout(const std::optional<CaptureSpec>& capture,
                                       const LayoutOptions& options) {
  HookLayout layout;
  uint32_t data_used = 0;
  int int_reg = 0;  // next integer register (or USDT argument number)
  std::map<std::string, int> register_of;  // argument name -> register, for length args

  auto add = [&](CaptureField field, bp_capture_spec cap) -> Result<> {
    if (layout.fields.size() >= BP_MAX_CAPTURES)
      return make_error("at most " + std::to_string(BP_MAX_CAPTURES) + " captures per hook",
                        "capture " + field.name);
    layout.spec.captures[layout.fields.size()] = cap;
    layout.fields.push_back(std::move(field));
    return {};
  };
  auto too_big = [&](const std::string& name) {
    return make_error("string and buffer captures of this hook need more than " +
                          std::to_string(BP_HOOK_DATA_MAX) +
                          " bytes per call; give them smaller bounds, e.g. str[128]",
                      "capture " + name);
  };

  if (capture) {
    for (const auto& arg : capture->args) {
      CaptureField field{arg.name, arg.type, true};
      bp_capture_spec cap{};
      // Floats travel in XMM registers (unless passed by pointer), which uprobe
      // programs cannot read; they do not use an integer register either.
      if (arg.type.in_float_register() && !options.usdt) {
        field.readable = false;
        layout.warnings.push_back("capture " + arg.name + ": " + arg.type.to_string() +
                                  " arrives in a floating-point register, which BPF cannot read; "
                                  "capture it through a pointer (out " + arg.type.to_string() + ")");
        if (auto r = add(field, cap); !r) return std::unexpected(r.error());
        continue;
      }
      if (int_reg >= kIntRegisters && !options.usdt)
        return make_error("only the first 6 integer/pointer arguments are in registers on x86-64",
                          "capture " + arg.name);
      int reg = int_reg++;
      register_of[arg.name] = reg;
      cap.arg = static_cast<uint8_t>(reg);
      const CaptureKind kind = arg.type.kind;
      if (!arg.type.out) {
        if (kind == CaptureKind::Str) {
          cap.kind = BP_CAP_STR;
          if (!place(layout, cap, arg.type.bound, data_used)) return too_big(arg.name);
        } else if (kind == CaptureKind::Bytes) {
          if (!arg.type.length_arg.empty()) {
            auto it = register_of.find(arg.type.length_arg);
            if (it == register_of.end())
              return make_error("length argument '" + arg.type.length_arg +
                                    "' must be captured before the buffer",
                                "capture " + arg.name);
            cap.kind = BP_CAP_BYTES_ARGLEN;
            cap.len_arg = static_cast<uint8_t>(it->second);
          } else {
            cap.kind = BP_CAP_BYTES;
          }
          // A length taken from an argument is only a cap: it gets what room is left
          // in the record (a longer buffer is kept up to there and marked cut).
          uint32_t bound = arg.type.bound;
          if (!arg.type.length_arg.empty() && data_used < BP_HOOK_DATA_MAX)
            bound = std::min<uint32_t>(bound, BP_HOOK_DATA_MAX - data_used);
          if (!place(layout, cap, bound, data_used)) return too_big(arg.name);
        } else {
          cap.kind = BP_CAP_ARG;
        }
      } else if (arg.type.array) {
        layout.spec.flags |= BP_HOOK_PAIRED;
        if (auto r = place_array(layout, arg, cap, data_used); !r) return std::unexpected(r.error());
      } else {
        layout.spec.flags |= BP_HOOK_PAIRED;  // read when the callee has filled it
        if (kind == CaptureKind::Str) {
          cap.kind = BP_CAP_OUT_STR;
          if (!place(layout, cap, arg.type.bound, data_used)) return too_big(arg.name);
        } else if (kind == CaptureKind::Bytes) {
          return make_error("out bytes is not supported; capture a pointer and its length instead",
                            "capture " + arg.name);
        } else {
          cap.kind = BP_CAP_OUT_INT;
          cap.int_size = int_size(kind);
        }
      }
      if (auto r = add(field, cap); !r) return std::unexpected(r.error());
    }
    if (capture->returns) {
      const CaptureType& t = *capture->returns;
      CaptureField field{"return", t, true};
      bp_capture_spec cap{};
      layout.spec.flags |= BP_HOOK_PAIRED;
      if (t.in_float_register()) {
        field.readable = false;
        layout.warnings.push_back("returns: " + t.to_string() +
                                  " comes back in a floating-point register, which BPF cannot read");
      } else if (t.kind == CaptureKind::Str) {
        cap.kind = BP_CAP_RET_STR;
        if (!place(layout, cap, t.bound, data_used)) return too_big("return");
      } else if (t.kind == CaptureKind::Bytes) {
        return make_error("a returned buffer has no length; capture it as str or ptr", "returns");
      } else {
        cap.kind = BP_CAP_RET;
      }
      if (auto r = add(field, cap); !r) return std::unexpected(r.error());
    }
  }
  if (options.paired) layout.spec.flags |= BP_HOOK_PAIRED;
  // BPF cannot fault pages in: a string the job has not touched yet (a literal in
  // a page never read) is unreadable at entry. At return the callee has read its
  // arguments, so strings and buffers are read then.
  if (layout.spec.flags & BP_HOOK_HAS_DATA) layout.spec.flags |= BP_HOOK_PAIRED;
  if (options.hardware) layout.spec.flags |= BP_HOOK_PAIRED | BP_HOOK_HARDWARE;
  if (options.usdt) {
    layout.spec.flags |= BP_HOOK_USDT;
    // A USDT site is not a function: there is no return to wait for.
    layout.spec.flags &= ~(BP_HOOK_PAIRED | BP_HOOK_HARDWARE);
    for (const auto& f : layout.fields)
      if (f.type.out || f.name == "return")
        return make_error("USDT probes have no return: out and returns captures are not possible",
                          "capture " + f.name);
  }
  layout.spec.ncaptures = static_cast<uint8_t>(layout.fields.size());
  return layout;
}

std::map<std::string, CapturedValue> decode_captures(const HookLayout& layout,
                                                     const HookCallEvent& call) {
  std::map<std::string, CapturedValue> out;
  for (size_t i = 0; i < layout.fields.size() && i < BP_MAX_CAPTURES; ++i) {
    const CaptureField& f = layout.fields[i];
    const bp_capture_spec& cap = layout.spec.captures[i];
    CapturedValue v;
    const bp_capture_slot& slot = call.slots[i];
    v.cut = (slot.flags & BP_FLAG_CUT) != 0;
    v.unreadable = !f.readable || (slot.flags & BP_FLAG_UNREADABLE) != 0;
    if (f.readable && !v.unreadable && f.type.array) {
      decode_array(f, cap, slot, call.data, v);
    } else if (f.readable && !v.unreadable) {
      if (is_text(f.type.kind)) {
        size_t off = cap.offset, len = std::min<size_t>(slot.len, cap.max_len);
        if (off + len <= call.data.size()) v.text = call.data.substr(off, len);
      } else {
        v.text = format_integer(f.type.kind, call.values[i]);
      }
    }
    out.emplace(f.name, std::move(v));
  }
  return out;
}

}  // namespace bpfpads
