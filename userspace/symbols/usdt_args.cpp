#include "symbols/usdt_args.h"

#include <array>
#include <charconv>

namespace bpfpads {
namespace {

struct LegacyGroup {
  const char* base;
  std::array<const char*, 4> names;  // 8, 4, 2, 1 byte names
  const char* high;                  // 8-15 bit name or nullptr
};

constexpr LegacyGroup kLegacy[] = {
    {"rax", {"rax", "eax", "ax", "al"}, "ah"}, {"rbx", {"rbx", "ebx", "bx", "bl"}, "bh"},
    {"rcx", {"rcx", "ecx", "cx", "cl"}, "ch"}, {"rdx", {"rdx", "edx", "dx", "dl"}, "dh"},
    {"rsi", {"rsi", "esi", "si", "sil"}, nullptr}, {"rdi", {"rdi", "edi", "di", "dil"}, nullptr},
    {"rbp", {"rbp", "ebp", "bp", "bpl"}, nullptr}, {"rsp", {"rsp", "esp", "sp", "spl"}, nullptr},
};
constexpr uint8_t kWidths[] = {8, 4, 2, 1};

bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

bool valid_size(int64_t n) { return n == 1 || n == 2 || n == 4 || n == 8 || n == 16; }

}  // namespace

bool parse_x86_register(std::string_view text, X86Register& out) {
  if (text.starts_with("%")) text.remove_prefix(1);
  if (text.empty()) return false;
  out = X86Register{std::string(text), {}, 8, false};
  for (const auto& g : kLegacy) {
    for (size_t i = 0; i < g.names.size(); ++i) {
      if (text == g.names[i]) {
        out.base = g.base;
        out.width = kWidths[i];
        return true;
      }
    }
    if (g.high && text == g.high) {
      out.base = g.base;
      out.width = 1;
      out.high_byte = true;
      return true;
    }
  }
  if (text == "rip" || text == "eip") {
    out.base = "rip";
    out.width = text == "rip" ? 8 : 4;
    return true;
  }
  // r8..r15 with suffixes d (32), w (16), b or l (8).
  if (text.size() >= 2 && text[0] == 'r') {
    size_t i = 1;
    int n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') n = n * 10 + (text[i++] - '0');
    if (i > 1 && n >= 8 && n <= 15) {
      std::string_view suffix = text.substr(i);
      uint8_t w = suffix.empty() ? 8 : suffix == "d" ? 4 : suffix == "w" ? 2
                  : (suffix == "b" || suffix == "l") ? 1 : 0;
      if (w == 0) return false;
      out.base = "r" + std::to_string(n);
      out.width = w;
      return true;
    }
  }
  if (text.starts_with("xmm")) {
    int64_t n = -1;
    if (parse_int(text.substr(3), n) && n >= 0 && n <= 15) {
      out.base = std::string(text);
      out.width = 16;
      return true;
    }
  }
  return false;
}

Result<UsdtArg> parse_usdt_arg(std::string_view spec) {
  UsdtArg arg;
  arg.text = std::string(spec);
  auto fail = [&](const std::string& why) { return make_error(why, "USDT argument '" + arg.text + "'"); };

  // "[-]N[f]@operand"; the size is optional in old notes ("%edi").
  std::string_view operand = spec;
  if (size_t at = spec.find('@'); at != std::string_view::npos) {
    std::string_view size = spec.substr(0, at);
    operand = spec.substr(at + 1);
    if (size.ends_with("f")) {
      arg.is_float = true;
      size.remove_suffix(1);
    }
    int64_t n = 0;
    if (!parse_int(size, n) || !valid_size(n < 0 ? -n : n)) return fail("bad size");
    arg.is_signed = n < 0;
    arg.size = uint8_t(n < 0 ? -n : n);
  }
  if (operand.empty()) return fail("missing operand");

  if (operand[0] == '$') {  // immediate
    arg.kind = UsdtArg::Kind::Constant;
    if (!parse_int(operand.substr(1), arg.constant)) return fail("bad constant");
    return arg;
  }
  if (operand[0] == '%') {
    arg.kind = UsdtArg::Kind::Register;
    if (!parse_x86_register(operand, arg.reg)) return fail("unknown register");
    if (spec.find('@') == std::string_view::npos) arg.size = arg.reg.width;
    return arg;
  }

  // Memory: "[disp][sym][+disp](%base[,%index[,scale]])"
  arg.kind = UsdtArg::Kind::Memory;
  size_t open = operand.find('(');
  if (open == std::string_view::npos || !operand.ends_with(")")) return fail("bad memory operand");
  std::string_view prefix = operand.substr(0, open);
  std::string_view inner = operand.substr(open + 1, operand.size() - open - 2);

  if (!prefix.empty() && !parse_int(prefix, arg.displacement)) {
    // A symbol with an optional signed offset on either side: "sym", "sym+8", "8+sym".
    size_t split = prefix.find_first_of("+-", 1);
    std::string_view a = prefix.substr(0, split);
    std::string_view b = split == std::string_view::npos ? std::string_view() : prefix.substr(split);
    int64_t d = 0;
    if (parse_int(a, d)) {
      if (b.starts_with("+")) b.remove_prefix(1);
      arg.displacement = d;
      arg.symbol = std::string(b);
    } else {
      arg.symbol = std::string(a);
      if (!b.empty() && !parse_int(b, arg.displacement)) return fail("bad displacement");
    }
    if (arg.symbol.empty()) return fail("bad displacement");
  }

  std::string_view parts[3];
  size_t nparts = 0;
  while (nparts < 3) {
    size_t comma = inner.find(',');
    parts[nparts++] = inner.substr(0, comma);
    if (comma == std::string_view::npos) break;
    inner = inner.substr(comma + 1);
    if (nparts == 3) return fail("bad memory operand");
  }
  // "(,%rax,8)" has no base register; reg.base stays empty then.
  if (parts[0].empty() ? nparts < 2 : !parse_x86_register(parts[0], arg.reg))
    return fail("unknown base register");
  if (nparts >= 2) {
    if (!parse_x86_register(parts[1], arg.index)) return fail("unknown index register");
    arg.has_index = true;
  }
  if (nparts == 3) {
    int64_t scale = 0;
    if (!parse_int(parts[2], scale) || !(scale == 1 || scale == 2 || scale == 4 || scale == 8))
      return fail("bad scale");
    arg.scale = uint8_t(scale);
  }
  return arg;
}

Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view specs) {
  std::vector<UsdtArg> out;
  size_t pos = 0;
  while (pos < specs.size()) {
    if (specs[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = specs.find(' ', pos);
    if (end == std::string_view::npos) end = specs.size();
    auto arg = parse_usdt_arg(specs.substr(pos, end - pos));
    if (!arg) return std::unexpected(arg.error());
    out.push_back(std::move(*arg));
    pos = end;
  }
  return out;
}

}  // namespace bpfpads
