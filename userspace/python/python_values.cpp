#include "python/python_values.h"

#include <cstring>

#include "store/py_float.h"

namespace bpfpads {
namespace {

constexpr uint64_t kInlineValues = 1ULL << 2;  // Py_TPFLAGS_INLINE_VALUES (3.13)
constexpr uint64_t kManagedDict = 1ULL << 4;   // Py_TPFLAGS_MANAGED_DICT (3.11+)

std::string u128_decimal(unsigned __int128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

// numpy's type numbers (ndarraytypes.h), the same in NumPy 1.x and 2.x.
const char* numpy_dtype(int type_num) {
  static const char* names[] = {"bool",    "int8",    "uint8",      "int16",      "uint16",  "int32",
                                "uint32",  "int64",   "uint64",     "int64",      "uint64",  "float32",
                                "float64", "float128", "complex64", "complex128", "complex256", "object",
                                "bytes",   "str"};
  return type_num >= 0 && type_num < static_cast<int>(std::size(names)) ? names[type_num] : "unknown";
}

}  // namespace

Result<std::string> PythonValues::int_text(uint64_t object) const {
  const auto& mem = obj_.memory();
  auto header = mem.read_value<int64_t>(object + 16);
  if (!header) return std::unexpected(header.error());
  int64_t ndigits = 0;
  bool negative = false;
  if (obj_.layout().minor >= 12) {  // lv_tag: digit count << 3 | sign (0 +, 1 zero, 2 -)
    uint64_t tag = static_cast<uint64_t>(*header);
    ndigits = static_cast<int64_t>(tag >> 3);
    negative = (tag & 3) == 2;
  } else {  // ob_size: the digit count, negative for negative numbers
    ndigits = *header < 0 ? -*header : *header;
    negative = *header < 0;
  }
  if (ndigits > 4) return "<int of " + std::to_string(ndigits * 30) + " bits>";
  uint32_t digits[4] = {};
  if (ndigits > 0)
    if (auto r = mem.read(object + static_cast<uint64_t>(obj_.layout().long_digits), digits,
                          static_cast<size_t>(ndigits) * 4);
        !r)
      return std::unexpected(r.error());
  unsigned __int128 v = 0;
  for (int64_t i = ndigits - 1; i >= 0; --i) v = (v << 30) | (digits[i] & 0x3fffffffu);
  return (negative && v != 0 ? "-" : "") + u128_decimal(v);
}

std::string PythonValues::text(uint64_t object, const ValueLimits& limits) const {
  return text_at_depth(object, limits, 0);
}

std::string PythonValues::text_at_depth(uint64_t object, const ValueLimits& limits, int depth) const {
  const auto& mem = obj_.memory();
  if (!object) return "<unreadable>";
  auto type = obj_.type_name(object);
  if (!type) return "<unreadable>";
  if (*type == "NoneType") return "None";
  if (*type == "bool") {
    auto v = int_text(object);
    return !v ? "<unreadable>" : *v == "0" ? "False" : "True";
  }
  if (*type == "int") {
    auto v = int_text(object);
    return v ? *v : "<unreadable>";
  }
  if (*type == "float") {
    auto v = mem.read_value<double>(object + static_cast<uint64_t>(obj_.layout().float_ob_fval));
    return v ? python_float_repr(*v) : "<unreadable>";
  }
  if (*type == "str") {
    auto s = obj_.str(object, limits.max_str);
    if (!s) return "<str longer than " + std::to_string(limits.max_str) + " characters>";
    return depth == 0 ? *s : "'" + *s + "'";  // inside a container: repr
  }
  if (*type == "tuple" || *type == "list") {
    if (depth >= limits.max_depth) return *type == "tuple" ? "(...)" : "[...]";
    auto size = mem.read_value<int64_t>(object + static_cast<uint64_t>(obj_.layout().var_ob_size));
    if (!size || *size < 0) return "<unreadable>";
    uint64_t items = object + static_cast<uint64_t>(obj_.layout().tuple_ob_item);
    if (*type == "list") {
      auto p = mem.read_pointer(object + 24);  // ob_item, after the var-object header
      if (!p) return "<unreadable>";
      items = *p;
    }
    size_t n = static_cast<size_t>(*size), shown = std::min(n, limits.max_items);
    std::string out = *type == "tuple" ? "(" : "[";
    for (size_t i = 0; i < shown; ++i) {
      auto item = mem.read_pointer(items + i * 8);
      out += (i ? ", " : "") + (item ? text_at_depth(*item, limits, depth + 1) : std::string("<unreadable>"));
    }
    if (shown < n) out += ", ...";
    if (*type == "tuple" && n == 1) out += ",";
    return out + (*type == "tuple" ? ")" : "]");
  }
  if (*type == "dict") {
    if (depth >= limits.max_depth) return "{...}";
    auto entries = obj_.dict_entries(object, 1 << 16);
    if (!entries) return "<unreadable>";
    std::string out = "{";
    size_t shown = std::min(entries->size(), limits.max_items);
    for (size_t i = 0; i < shown; ++i)
      out += (i ? ", " : "") + text_at_depth((*entries)[i].key, limits, depth + 1) + ": " +
             text_at_depth((*entries)[i].value, limits, depth + 1);
    if (shown < entries->size()) out += ", ...";
    return out + "}";
  }
  if (*type == "numpy.ndarray") {
    auto shape = ndarray_shape(object);
    return shape ? "<ndarray " + shape->first + " " + shape->second + ">" : "<ndarray>";
  }
  return "<" + *type + ">";
}

Result<std::optional<uint64_t>> PythonValues::instance_attribute(uint64_t object, const std::string& name) const {
  const auto& mem = obj_.memory();
  const auto& l = obj_.layout();
  auto type = obj_.type_of(object);
  if (!type) return std::unexpected(type.error());
  auto flags = mem.read_value<uint64_t>(*type + static_cast<uint64_t>(l.type_tp_flags));
  if (!flags) return std::unexpected(flags.error());
  // Split values: the class's cached keys name them by entry index.
  auto from_values = [&](uint64_t values) -> Result<std::optional<uint64_t>> {
    auto keys_ptr = mem.read_pointer(*type + static_cast<uint64_t>(l.heaptype_ht_cached_keys));
    if (!keys_ptr) return std::unexpected(keys_ptr.error());
    auto keys = obj_.keys_by_index(*keys_ptr);
    if (!keys) return std::unexpected(keys.error());
    for (size_t i = 0; i < keys->size(); ++i) {
      if (!(*keys)[i]) continue;
      auto k = obj_.str((*keys)[i], name.size());
      if (!k || *k != name) continue;
      auto v = mem.read_pointer(values + i * 8);
      if (!v) return std::unexpected(v.error());
      return *v ? std::optional<uint64_t>(*v) : std::nullopt;
    }
    return std::optional<uint64_t>{};
  };
  if (l.minor >= 13 && (*flags & kInlineValues)) {
    auto basicsize = mem.read_value<int64_t>(*type + static_cast<uint64_t>(l.type_tp_basicsize));
    if (!basicsize) return std::unexpected(basicsize.error());
    uint64_t values = object + static_cast<uint64_t>(*basicsize);
    auto valid = mem.read_value<uint8_t>(values + 3);
    if (valid && *valid) return from_values(values + 8);
  }
  if (l.minor >= 11 && (*flags & kManagedDict)) {
    if (l.minor == 12) {  // one tagged word: bit 0 set means values (stored less one)
      auto word = mem.read_pointer(object - 24);
      if (!word) return std::unexpected(word.error());
      if (*word & 1) return from_values(*word + 1);
      if (*word) return obj_.dict_get(*word, name);
      return std::optional<uint64_t>{};
    }
    auto dict = mem.read_pointer(object - 24);
    if (!dict) return std::unexpected(dict.error());
    if (*dict) return obj_.dict_get(*dict, name);
    if (l.minor == 11) {
      auto values = mem.read_pointer(object - 32);
      if (!values) return std::unexpected(values.error());
      if (*values) return from_values(*values);
    }
    return std::optional<uint64_t>{};
  }
  auto offset = mem.read_value<int64_t>(*type + static_cast<uint64_t>(l.type_tp_dictoffset));
  if (!offset) return std::unexpected(offset.error());
  if (*offset <= 0) return std::optional<uint64_t>{};  // no instance dict (or a variable-size object)
  auto dict = mem.read_pointer(object + static_cast<uint64_t>(*offset));
  if (!dict) return std::unexpected(dict.error());
  if (!*dict) return std::optional<uint64_t>{};
  return obj_.dict_get(*dict, name);
}

Result<std::vector<std::string>> PythonValues::init_parameter_names(uint64_t cls) const {
  const auto& mem = obj_.memory();
  const auto& l = obj_.layout();
  auto init = obj_.attribute(cls, "__init__");
  if (!init) return std::unexpected(init.error());
  if (!*init) return std::vector<std::string>{};
  auto kind = obj_.type_name(**init);
  if (!kind) return std::unexpected(kind.error());
  if (*kind != "function") return std::vector<std::string>{};  // object.__init__: no parameters
  auto code = mem.read_pointer(**init + static_cast<uint64_t>(l.func_func_code));
  if (!code) return std::unexpected(code.error());
  auto argcount = mem.read_value<int32_t>(*code + static_cast<uint64_t>(l.code_co_argcount));
  auto kwonly = mem.read_value<int32_t>(*code + static_cast<uint64_t>(l.code_co_kwonlyargcount));
  auto names = mem.read_pointer(*code + static_cast<uint64_t>(l.code_co_localsplusnames));
  if (!argcount || !kwonly || !names) return make_error("unreadable __init__ code object");
  int total = *argcount + *kwonly;
  if (total < 1 || total > 256) return make_error("__init__ with an impossible parameter count");
  std::vector<std::string> out;
  for (int i = 1; i < total; ++i) {  // 0 is self
    auto name = mem.read_pointer(*names + static_cast<uint64_t>(l.tuple_ob_item) + static_cast<uint64_t>(i) * 8);
    if (!name) return std::unexpected(name.error());
    auto s = obj_.str(*name, 256);
    if (!s) return std::unexpected(s.error());
    out.push_back(*s);
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> PythonValues::estimator_params(uint64_t instance) const {
  auto cls = obj_.type_of(instance);
  if (!cls) return std::unexpected(cls.error());
  auto names = init_parameter_names(*cls);
  if (!names) return std::unexpected(names.error());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : *names) {
    auto v = instance_attribute(instance, n);
    out.emplace_back(n, !v ? "<unreadable>" : !*v ? "<missing>" : text(**v));
  }
  return out;
}

Result<std::pair<std::string, std::string>> PythonValues::ndarray_shape(uint64_t array) const {
  const auto& mem = obj_.memory();
  auto nd = mem.read_value<int32_t>(array + 24);
  auto dims = mem.read_pointer(array + 32);
  auto descr = mem.read_pointer(array + 56);
  if (!nd || !dims || !descr) return make_error("unreadable ndarray");
  if (*nd < 0 || *nd > 32) return make_error("ndarray of impossible rank");
  std::string shape = "(";
  for (int i = 0; i < *nd; ++i) {
    auto d = mem.read_value<int64_t>(*dims + static_cast<uint64_t>(i) * 8);
    if (!d) return std::unexpected(d.error());
    shape += (i ? ", " : "") + std::to_string(*d);
  }
  shape += *nd == 1 ? ",)" : ")";
  auto type_num = mem.read_value<int32_t>(*descr + 28);
  if (!type_num) return std::unexpected(type_num.error());
  return std::make_pair(shape, std::string(numpy_dtype(*type_num)));
}

}  // namespace bpfpads
