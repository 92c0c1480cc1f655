#include "mapping/capture_type.h"

#include <cctype>
#include <charconv>
#include <utility>

namespace bpfpads {
namespace {

constexpr std::pair<std::string_view, CaptureKind> kScalarNames[] = {
    {"i8", CaptureKind::I8},     {"i16", CaptureKind::I16},  {"i32", CaptureKind::I32},
    {"i64", CaptureKind::I64},   {"u8", CaptureKind::U8},    {"u16", CaptureKind::U16},
    {"u32", CaptureKind::U32},   {"u64", CaptureKind::U64},  {"int", CaptureKind::I32},
    {"long", CaptureKind::I64},  {"size_t", CaptureKind::U64}, {"bool", CaptureKind::Bool},
    {"f32", CaptureKind::F32},   {"f64", CaptureKind::F64},  {"ptr", CaptureKind::Ptr},
};

constexpr std::string_view kAllowed =
    "expected one of i8 i16 i32 i64 u8 u16 u32 u64 int long size_t bool f32 f64 ptr str "
    "str[N] bytes[N] bytes[{arg}], optionally after 'out ' (then also T[N], T[{arg}], str[N][M])";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// The inside of "[N]" (a number in 1..max) or "[{name}]" (an identifier).
struct Bracket {
  std::uint32_t n = 0;
  std::string name;
};

Result<Bracket> parse_bracket(std::string_view text, std::string_view whole, std::uint32_t max,
                              const std::string& what) {
  auto bad = [&](const std::string& why) { return make_error("invalid capture type '" + std::string(whole) + "': " + why); };
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return bad(std::string(kAllowed));
  std::string_view inner = trim(text.substr(1, text.size() - 2));
  if (inner.size() >= 2 && inner.front() == '{' && inner.back() == '}') {
    std::string_view name = trim(inner.substr(1, inner.size() - 2));
    if (!is_identifier(name)) return bad("'" + std::string(name) + "' is not an argument name");
    return Bracket{0, std::string(name)};
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), n);
  if (ec != std::errc{} || end != inner.data() + inner.size() || inner.empty())
    return bad(what + " must be a number or {arg}");
  if (n == 0 || n > max) return bad(what + " must be 1.." + std::to_string(max));
  return Bracket{static_cast<std::uint32_t>(n), {}};
}

// "[N]" or "[{arg}]" after str/bytes.
Result<void> parse_bound(std::string_view text, std::string_view whole, CaptureType& type) {
  auto b = parse_bracket(text, whole, kMaxCaptureBound, "the bound");
  if (!b) return std::unexpected(b.error());
  if (b->name.empty()) {
    type.bound = b->n;
  } else if (type.kind != CaptureKind::Bytes) {
    return make_error("invalid capture type '" + std::string(whole) +
                      "': only bytes[...] takes its length from an argument");
  } else {
    type.length_arg = b->name;
    type.bound = kMaxCaptureBound;
  }
  return {};
}

// "[N]" or "[{arg}]" after an out array's element type.
Result<void> parse_array(std::string_view text, std::string_view whole, CaptureType& type) {
  if (!type.out)
    return make_error("invalid capture type '" + std::string(whole) +
                      "': an array is read at return through its pointer: write 'out " + std::string(whole) + "'");
  const std::uint32_t max = type.kind == CaptureKind::Str ? kMaxStringArray : kMaxNumberArray;
  auto b = parse_bracket(text, whole, max, "the element count");
  if (!b) return std::unexpected(b.error());
  type.array = b->name.empty() ? b->n : max;
  type.array_length = b->name;
  return {};
}

}  // namespace

Result<CaptureType> CaptureType::parse(std::string_view text) {
  const std::string_view whole = trim(text);
  std::string_view rest = whole;
  CaptureType type;
  if (rest.starts_with("out") && rest.size() > 3 && std::isspace(static_cast<unsigned char>(rest[3]))) {
    type.out = true;
    rest = trim(rest.substr(3));
    if (rest.starts_with("out") && (rest.size() == 3 || std::isspace(static_cast<unsigned char>(rest[3]))))
      return make_error("invalid capture type '" + std::string(whole) + "': 'out' may appear once");
  }
  for (const auto& [name, kind] : kScalarNames) {
    if (rest == name) {
      type.kind = kind;
      return type;
    }
    if (rest.starts_with(name) && trim(rest.substr(name.size())).starts_with('[')) {
      type.kind = kind;
      if (auto ok = parse_array(trim(rest.substr(name.size())), whole, type); !ok) return std::unexpected(ok.error());
      return type;
    }
  }
  if (rest.starts_with("str")) {
    type.kind = CaptureKind::Str;
    type.bound = kDefaultStringBound;
    std::string_view suffix = trim(rest.substr(3));
    if (suffix.empty()) return type;
    // str[N][M]: M strings of at most N bytes each.
    size_t second = suffix.find(']');
    std::string_view array = second == std::string_view::npos ? "" : trim(suffix.substr(second + 1));
    if (!array.empty()) suffix = suffix.substr(0, second + 1);
    if (auto ok = parse_bound(suffix, whole, type); !ok) return std::unexpected(ok.error());
    if (!array.empty())
      if (auto ok = parse_array(array, whole, type); !ok) return std::unexpected(ok.error());
    return type;
  }
  if (rest.starts_with("bytes")) {
    type.kind = CaptureKind::Bytes;
    std::string_view suffix = trim(rest.substr(5));
    if (suffix.empty())
      return make_error("invalid capture type '" + std::string(whole) +
                        "': bytes needs a length, bytes[N] or bytes[{arg}]");
    if (auto ok = parse_bound(suffix, whole, type); !ok) return std::unexpected(ok.error());
    return type;
  }
  return make_error("invalid capture type '" + std::string(whole) + "': " + std::string(kAllowed));
}

std::string CaptureType::to_string() const {
  std::string s = out ? "out " : "";
  std::string suffix;
  if (array) suffix = "[" + (array_length.empty() ? std::to_string(array) : "{" + array_length + "}") + "]";
  for (const auto& [name, kind] : kScalarNames) {
    if (kind == this->kind && name != "int" && name != "long" && name != "size_t")
      return s + std::string(name) + suffix;
  }
  if (kind == CaptureKind::Str) return s + "str[" + std::to_string(bound) + "]" + suffix;
  if (!length_arg.empty()) return s + "bytes[{" + length_arg + "}]";
  return s + "bytes[" + std::to_string(bound) + "]";
}

bool CaptureType::is_integer() const {
  switch (kind) {
    case CaptureKind::I8: case CaptureKind::I16: case CaptureKind::I32: case CaptureKind::I64:
    case CaptureKind::U8: case CaptureKind::U16: case CaptureKind::U32: case CaptureKind::U64:
      return true;
    default:
      return false;
  }
}

bool CaptureType::in_float_register() const {
  return !out && (kind == CaptureKind::F32 || kind == CaptureKind::F64);
}

}  // namespace bpfpads
