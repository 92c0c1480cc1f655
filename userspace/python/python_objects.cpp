#include "python/python_objects.h"

#include <cstring>

namespace bpfpads {
namespace {

constexpr uint64_t kTypeFlagTypeSubclass = 1ULL << 31;  // Py_TPFLAGS_TYPE_SUBCLASS: a class
constexpr size_t kMaxMro = 256;

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

Result<uint64_t> PythonObjects::type_of(uint64_t object) const { return mem_.read_pointer(object + 8); }

Result<std::string> PythonObjects::type_name(uint64_t object) const {
  auto type = type_of(object);
  if (!type) return std::unexpected(type.error());
  return name_of_type(*type);
}

Result<std::string> PythonObjects::name_of_type(uint64_t type) const {
  auto name_ptr = mem_.read_pointer(type + static_cast<uint64_t>(layout_.type_tp_name));
  if (!name_ptr) return std::unexpected(name_ptr.error());
  char buf[128];
  // The name may end near the end of a mapping: read in small steps.
  std::string name;
  for (uint64_t at = *name_ptr; name.size() < sizeof(buf) * 4; at += 16) {
    if (auto r = mem_.read(at, buf, 16); !r) return std::unexpected(r.error());
    for (int i = 0; i < 16; ++i) {
      if (buf[i] == '\0') return name;
      // A type's name is printable ASCII: anything else is memory that is not a type.
      if (buf[i] < 0x20 || buf[i] > 0x7e) return make_error("not a type's name: not a type");
      name += buf[i];
    }
  }
  return make_error("type name longer than 512 bytes: not a type");
}

Result<std::string> PythonObjects::str(uint64_t object, size_t max_chars) const {
  auto kind_name = type_name(object);
  if (!kind_name) return std::unexpected(kind_name.error());
  if (*kind_name != "str") return make_error("expected a str, found " + *kind_name);
  auto length = mem_.read_value<int64_t>(object + static_cast<uint64_t>(layout_.unicode_length));
  auto state = mem_.read_value<uint32_t>(object + static_cast<uint64_t>(layout_.unicode_state));
  if (!length) return std::unexpected(length.error());
  if (!state) return std::unexpected(state.error());
  if (*length < 0 || static_cast<uint64_t>(*length) > max_chars)
    return make_error("str of " + std::to_string(*length) + " characters, more than " + std::to_string(max_chars));
  unsigned kind = (*state >> 2) & 7, compact = (*state >> 5) & 1, ascii = (*state >> 6) & 1;
  if (!compact) return make_error("a legacy (non-compact) str, which bpfpads does not read");
  size_t n = static_cast<size_t>(*length);
  if (ascii) return mem_.read_bytes(object + static_cast<uint64_t>(layout_.unicode_ascii_size), n);
  if (kind != 1 && kind != 2 && kind != 4) return make_error("str of unknown kind " + std::to_string(kind));
  auto raw = mem_.read_bytes(object + static_cast<uint64_t>(layout_.unicode_compact_size), n * kind);
  if (!raw) return std::unexpected(raw.error());
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    uint32_t cp = 0;
    for (unsigned b = 0; b < kind; ++b) cp |= static_cast<uint32_t>(static_cast<uint8_t>((*raw)[i * kind + b])) << (8 * b);
    append_utf8(out, cp);
  }
  return out;
}

Result<std::vector<PyDictEntry>> PythonObjects::dict_entries(uint64_t dict, size_t max_entries) const {
  auto keys = mem_.read_pointer(dict + static_cast<uint64_t>(layout_.dict_ma_keys));
  auto values = mem_.read_pointer(dict + static_cast<uint64_t>(layout_.dict_ma_values));
  if (!keys || !values) return std::unexpected((!keys ? keys : values).error());
  auto nentries = mem_.read_value<int64_t>(*keys + static_cast<uint64_t>(layout_.keys_dk_nentries));
  if (!nentries) return std::unexpected(nentries.error());
  if (*nentries < 0 || static_cast<uint64_t>(*nentries) > max_entries)
    return make_error("dict of " + std::to_string(*nentries) + " entries, more than " + std::to_string(max_entries));
  uint64_t entries = 0, entry_size = 24, key_at = 8, value_at = 16;
  uint64_t indices = *keys + static_cast<uint64_t>(layout_.keys_dk_indices);
  if (layout_.keys_dk_kind >= 0) {  // 3.11+: log2 sizes, unicode-keyed entries without the hash
    auto head = mem_.read_bytes(*keys + static_cast<uint64_t>(layout_.keys_dk_log2_size), 3);
    if (!head) return std::unexpected(head.error());
    unsigned log2_index_bytes = static_cast<uint8_t>((*head)[1]), kind = static_cast<uint8_t>((*head)[2]);
    if (log2_index_bytes > 40) return make_error("dict keys of impossible size: not a dict");
    entries = indices + (1ULL << log2_index_bytes);
    if (kind != 0) entry_size = 16, key_at = 0, value_at = 8;
  } else {  // 3.9, 3.10: dk_size slots, index width by size
    auto size = mem_.read_value<int64_t>(*keys + static_cast<uint64_t>(layout_.keys_dk_size));
    if (!size) return std::unexpected(size.error());
    if (*size <= 0 || *size > (1LL << 40)) return make_error("dict keys of impossible size: not a dict");
    uint64_t width = *size <= 0xff ? 1 : *size <= 0xffff ? 2 : *size <= 0xffffffffLL ? 4 : 8;
    entries = indices + static_cast<uint64_t>(*size) * width;
  }
  // Split tables keep the values apart; 3.13's PyDictValues has an 8-byte header.
  uint64_t split_values = *values ? *values + (layout_.minor >= 13 ? 8 : 0) : 0;
  auto raw = mem_.read_bytes(entries, static_cast<size_t>(*nentries) * entry_size);
  if (!raw) return std::unexpected(raw.error());
  std::vector<PyDictEntry> out;
  for (int64_t i = 0; i < *nentries; ++i) {
    PyDictEntry e;
    std::memcpy(&e.key, raw->data() + i * entry_size + key_at, 8);
    if (!e.key) continue;  // deleted
    if (split_values) {
      auto v = mem_.read_pointer(split_values + static_cast<uint64_t>(i) * 8);
      if (!v) return std::unexpected(v.error());
      e.value = *v;
    } else {
      std::memcpy(&e.value, raw->data() + i * entry_size + value_at, 8);
    }
    if (e.value) out.push_back(e);
  }
  return out;
}

Result<std::vector<uint64_t>> PythonObjects::keys_by_index(uint64_t keys, size_t max_entries) const {
  if (layout_.keys_dk_kind < 0) return make_error("split keys are read through their dict before 3.11");
  auto nentries = mem_.read_value<int64_t>(keys + static_cast<uint64_t>(layout_.keys_dk_nentries));
  auto head = mem_.read_bytes(keys + static_cast<uint64_t>(layout_.keys_dk_log2_size), 3);
  if (!nentries) return std::unexpected(nentries.error());
  if (!head) return std::unexpected(head.error());
  if (*nentries < 0 || static_cast<uint64_t>(*nentries) > max_entries) return make_error("keys table of impossible size");
  unsigned log2_index_bytes = static_cast<uint8_t>((*head)[1]), kind = static_cast<uint8_t>((*head)[2]);
  if (log2_index_bytes > 40) return make_error("keys table of impossible size");
  uint64_t entries = keys + static_cast<uint64_t>(layout_.keys_dk_indices) + (1ULL << log2_index_bytes);
  uint64_t entry_size = kind != 0 ? 16 : 24, key_at = kind != 0 ? 0 : 8;
  auto raw = mem_.read_bytes(entries, static_cast<size_t>(*nentries) * entry_size);
  if (!raw) return std::unexpected(raw.error());
  std::vector<uint64_t> out(static_cast<size_t>(*nentries));
  for (size_t i = 0; i < out.size(); ++i) std::memcpy(&out[i], raw->data() + i * entry_size + key_at, 8);
  return out;
}

Result<std::optional<uint64_t>> PythonObjects::dict_get(uint64_t dict, const std::string& key) const {
  auto entries = dict_entries(dict);
  if (!entries) return std::unexpected(entries.error());
  // Every key's head in one go (type, length): only a str of the key's length is read
  // whole. sys.modules has a thousand keys; reading each as a str took 100 ms.
  std::vector<uint64_t> keys;
  for (const auto& e : *entries) keys.push_back(e.key);
  int64_t code_points = 0;  // a str's length counts code points, not UTF-8 bytes
  for (unsigned char c : key) code_points += (c & 0xc0) != 0x80;
  const size_t head = static_cast<size_t>(layout_.unicode_length) + 8;
  std::vector<uint8_t> heads(keys.size() * head);
  auto readable = mem_.read_each(keys, head, heads.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!readable[i]) continue;
    uint64_t type;
    int64_t length;
    std::memcpy(&type, heads.data() + i * head + 8, 8);
    std::memcpy(&length, heads.data() + i * head + layout_.unicode_length, 8);
    if (length != code_points || (str_type_ && type != str_type_)) continue;
    auto k = str(keys[i], key.size());
    if (!k) continue;
    str_type_ = type;  // a str's type: later keys of another type are skipped unread
    if (*k == key) return (*entries)[i].value;
  }
  return std::optional<uint64_t>{};
}

Result<std::optional<uint64_t>> PythonObjects::attribute(uint64_t object, const std::string& name) const {
  auto kind = type_name(object);
  if (!kind) return std::unexpected(kind.error());
  if (*kind == "module") {
    auto dict = mem_.read_pointer(object + static_cast<uint64_t>(layout_.module_md_dict));
    if (!dict) return std::unexpected(dict.error());
    return dict_get(*dict, name);
  }
  auto type = type_of(object);
  if (!type) return std::unexpected(type.error());
  auto flags = mem_.read_value<uint64_t>(*type + static_cast<uint64_t>(layout_.type_tp_flags));
  if (!flags) return std::unexpected(flags.error());
  if (!(*flags & kTypeFlagTypeSubclass)) return std::optional<uint64_t>{};  // not a class
  // A class: its own dict, then each class of its MRO (tp_mro starts with itself).
  auto mro = mem_.read_pointer(object + static_cast<uint64_t>(layout_.type_tp_mro));
  if (!mro) return std::unexpected(mro.error());
  auto count = mem_.read_value<int64_t>(*mro + static_cast<uint64_t>(layout_.var_ob_size));
  if (!count) return std::unexpected(count.error());
  if (*count < 0 || static_cast<size_t>(*count) > kMaxMro) return make_error("an MRO of impossible length");
  for (int64_t i = 0; i < *count; ++i) {
    auto cls = mem_.read_pointer(*mro + static_cast<uint64_t>(layout_.tuple_ob_item) + static_cast<uint64_t>(i) * 8);
    if (!cls) return std::unexpected(cls.error());
    auto dict = mem_.read_pointer(*cls + static_cast<uint64_t>(layout_.type_tp_dict));
    if (!dict) return std::unexpected(dict.error());
    if (!*dict) continue;  // a static builtin type keeps its dict elsewhere (3.12+)
    auto found = dict_get(*dict, name);
    if (!found || *found) return found;
  }
  return std::optional<uint64_t>{};
}

}  // namespace bpfpads
