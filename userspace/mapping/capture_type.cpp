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
    "str[N] bytes[N] bytes[{arg}], optionally after 'out '";

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

// "[N]" or "[{arg}]" after str/bytes.
Result<void> parse_bound(std::string_view text, std::string_view whole, CaptureType& type) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']')
    return make_error("invalid capture type '" + std::string(whole) + "': " + std::string(kAllowed));
  std::string_view inner = trim(text.substr(1, text.size() - 2));
  if (inner.size() >= 2 && inner.front() == '{' && inner.back() == '}') {
    std::string_view arg = trim(inner.substr(1, inner.size() - 2));
    if (type.kind != CaptureKind::Bytes)
      return make_error("invalid capture type '" + std::string(whole) +
                        "': only bytes[...] takes its length from an argument");
    if (!is_identifier(arg))
      return make_error("invalid capture type '" + std::string(whole) + "': '" + std::string(arg) +
                        "' is not an argument name");
    type.length_arg = std::string(arg);
    type.bound = kMaxCaptureBound;
    return {};
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), n);
  if (ec != std::errc{} || end != inner.data() + inner.size() || inner.empty())
    return make_error("invalid capture type '" + std::string(whole) + "': the bound must be a number or {arg}");
  if (n == 0 || n > kMaxCaptureBound)
    return make_error("invalid capture type '" + std::string(whole) + "': the bound must be 1.." +
                      std::to_string(kMaxCaptureBound));
  type.bound = static_cast<std::uint32_t>(n);
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
  }
  if (rest.starts_with("str")) {
    type.kind = CaptureKind::Str;
    type.bound = kDefaultStringBound;
    std::string_view suffix = trim(rest.substr(3));
    if (suffix.empty()) return type;
    if (auto ok = parse_bound(suffix, whole, type); !ok) return std::unexpected(ok.error());
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
  for (const auto& [name, kind] : kScalarNames) {
    if (kind == this->kind && name != "int" && name != "long" && name != "size_t") return s + std::string(name);
  }
  if (kind == CaptureKind::Str) return s + "str[" + std::to_string(bound) + "]";
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
