#include "mapping/section_parsers.h"

#include <set>

namespace bpfpads {
namespace {

// x86-64 System V: rdi rsi rdx rcx r8 r9, then xmm0..7; later arguments are on the
// stack, which a uprobe reads differently, so the first version refuses them.
constexpr int kIntegerRegisters = 6;
constexpr int kFloatRegisters = 8;

std::optional<CapturedArg> parse_arg(const YAML::Node& item, ParseContext& ctx, const SourceLocation& where) {
  if (!item.IsMap() || item.size() != 1) {
    ctx.sink.error(ctx.at(item, where), "each 'args' entry must be 'name: type' (e.g. [handle: ptr, name: str])");
    return std::nullopt;
  }
  const auto kv = *item.begin();
  const SourceLocation at = ctx.at(kv.first, where);
  if (!kv.first.IsScalar() || !is_identifier(kv.first.Scalar())) {
    ctx.sink.error(at, "argument name must be an identifier");
    return std::nullopt;
  }
  const std::string name = kv.first.Scalar();
  if (name == "return") {
    ctx.sink.error(at, "'return' is reserved for the return value (use 'returns: TYPE')");
    return std::nullopt;
  }
  if (!kv.second.IsScalar()) {
    ctx.sink.error(ctx.at(kv.second, at), "type of argument '" + name + "' must be a string");
    return std::nullopt;
  }
  auto type = CaptureType::parse(kv.second.Scalar());
  if (!type) {
    ctx.sink.error(ctx.at(kv.second, at), type.error().message);
    return std::nullopt;
  }
  return CapturedArg{name, std::move(*type), at};
}

// bytes[{len}] needs `len` to be a captured integer that is known when the buffer is
// read: an `out` length only exists at return.
bool check_length_reference(const CaptureType& type, const std::string& who, bool read_at_return,
                            const CaptureSpec& spec, ParseContext& ctx, const SourceLocation& at) {
  if (type.length_arg.empty()) return true;
  const CapturedArg* len = spec.find(type.length_arg);
  if (len == nullptr) {
    ctx.sink.error(at, who + ": length argument '" + type.length_arg + "' is not captured");
  } else if (len->name == who) {
    ctx.sink.error(at, who + ": a buffer cannot be its own length");
  } else if (!len->type.is_integer()) {
    ctx.sink.error(at, who + ": length argument '" + type.length_arg + "' is " + len->type.to_string() +
                           ", not an integer");
  } else if (len->type.out && !read_at_return) {
    ctx.sink.error(at, who + ": length argument '" + type.length_arg +
                           "' is only known at return; make this 'out' too");
  } else {
    return true;
  }
  return false;
}

// out T[{n}] needs `n` to be an integer captured before the array (its value is read
// first, at return when it is `out` too).
bool check_array_count(const CapturedArg& arg, const CaptureSpec& spec, ParseContext& ctx) {
  const std::string& count = arg.type.array_length;
  if (count.empty()) return true;
  for (const auto& a : spec.args) {
    if (&a == &arg) break;
    if (a.name != count) continue;
    if (a.type.is_integer() && !a.type.array) return true;
    ctx.sink.error(arg.location, arg.name + ": element count '" + count + "' is " + a.type.to_string() +
                                     ", not an integer");
    return false;
  }
  ctx.sink.error(arg.location, arg.name + ": element count '" + count + "' must be captured before the array");
  return false;
}

}  // namespace

std::optional<CaptureSpec> parse_capture(const YAML::Node& node, ParseContext& ctx,
                                         const SourceLocation& key_location) {
  if (!node.IsMap()) {
    ctx.sink.error(ctx.at(node, key_location), "'capture' must be a mapping with 'args' and/or 'returns'");
    return std::nullopt;
  }
  CaptureSpec spec;
  spec.location = key_location;
  bool ok = true;
  YAML::Node args, returns;
  SourceLocation returns_at = key_location;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key == "args") {
      args.reset(kv.second);
    } else if (key == "returns") {
      returns.reset(kv.second);
      returns_at = ctx.at(kv.first);
    } else {
      ctx.sink.error(ctx.at(kv.first), "unknown key '" + key + "' in 'capture' (expected args, returns)");
      ok = false;
    }
  }

  if (args.IsDefined() && !args.IsNull()) {
    if (!args.IsSequence()) {
      ctx.sink.error(ctx.at(args, key_location), "'args' must be a list of 'name: type' (e.g. [handle: ptr, name: str])");
      return std::nullopt;
    }
    std::set<std::string> names;
    int integer_args = 0, float_args = 0;
    for (const auto& item : args) {
      if (!ctx.spend(ctx.at(item, key_location))) return std::nullopt;
      auto arg = parse_arg(item, ctx, key_location);
      if (!arg) {
        ok = false;
        continue;
      }
      if (!names.insert(arg->name).second) {
        ctx.sink.error(arg->location, "argument '" + arg->name + "' is captured twice");
        ok = false;
      }
      if (arg->type.in_float_register()) {
        if (++float_args == kFloatRegisters + 1) {
          ctx.sink.error(arg->location, "only the first 8 floating-point arguments are in registers on x86-64 (System V)");
          ok = false;
        }
      } else if (++integer_args == kIntegerRegisters + 1) {
        ctx.sink.error(arg->location, "only the first 6 integer/pointer arguments are in registers on x86-64 (System V)");
        ok = false;
      }
      spec.args.push_back(std::move(*arg));
    }
  }

  if (returns.IsDefined() && !returns.IsNull()) {
    if (!returns.IsScalar()) {
      ctx.sink.error(ctx.at(returns, returns_at), "'returns' must be a type string");
      ok = false;
    } else if (auto type = CaptureType::parse(returns.Scalar()); !type) {
      ctx.sink.error(ctx.at(returns, returns_at), type.error().message);
      ok = false;
    } else if (type->out) {
      ctx.sink.error(ctx.at(returns, returns_at), "'out' applies to pointer arguments, not to the return value");
      ok = false;
    } else {
      spec.returns = std::move(*type);
    }
  }

  for (const auto& arg : spec.args) {
    ok = check_length_reference(arg.type, arg.name, arg.type.out, spec, ctx, arg.location) && ok;
    ok = check_array_count(arg, spec, ctx) && ok;
  }
  if (spec.returns)
    ok = check_length_reference(*spec.returns, "returns", true, spec, ctx, returns_at) && ok;

  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace bpfpads
