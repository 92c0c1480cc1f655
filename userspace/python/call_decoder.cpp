#include "python/call_decoder.h"

#include <cstring>

#include "common/log.h"
#include "store/py_float.h"

namespace bpfpads {
namespace {

constexpr int kVarArgs = 0x4;      // CO_VARARGS
constexpr int kVarKeywords = 0x8;  // CO_VARKEYWORDS
constexpr size_t kMaxArgumentText = 200;

std::string short_class(const std::string& tp_name) {
  auto dot = tp_name.rfind('.');
  return dot == std::string::npos ? tp_name : tp_name.substr(dot + 1);
}

std::vector<int64_t> parse_shape(const std::string& text) {  // "(150, 4)"
  std::vector<int64_t> out;
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      out.push_back(std::stoll(digits));
      digits.clear();
    }
  }
  return out;
}

}  // namespace

CallDecoder::CallDecoder(const PythonProcess& py)
    : py_(py), mem_(py.pid), objects_(mem_, py_.layout), values_(objects_) {}

const CallDecoder::CodeInfo* CallDecoder::code_info(uint64_t code) const {
  if (auto it = codes_.find(code); it != codes_.end()) return &it->second;
  const auto& l = py_.layout;
  auto kind = objects_.type_name(code);
  if (!kind || *kind != "code") return nullptr;
  CodeInfo info;
  auto read_str = [&](long field) -> std::string {
    auto p = mem_.read_pointer(code + static_cast<uint64_t>(field));
    if (!p) return "";
    auto s = objects_.str(*p, 1024);
    return s ? *s : "";
  };
  info.qualname = read_str(l.code_co_qualname >= 0 ? l.code_co_qualname : l.code_co_name);
  info.file = read_str(l.code_co_filename);
  auto int_field = [&](long field) {
    auto v = mem_.read_value<int32_t>(code + static_cast<uint64_t>(field));
    return v ? *v : 0;
  };
  info.line = int_field(l.code_co_firstlineno);
  info.argcount = int_field(l.code_co_argcount);
  info.kwonly = int_field(l.code_co_kwonlyargcount);
  info.flags = int_field(l.code_co_flags);
  if (auto names = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_localsplusnames))) {
    auto n = mem_.read_value<int64_t>(*names + static_cast<uint64_t>(l.var_ob_size));
    for (int64_t i = 0; n && i < std::min<int64_t>(*n, 64); ++i) {
      auto item = mem_.read_pointer(*names + static_cast<uint64_t>(l.tuple_ob_item) + 8 * static_cast<uint64_t>(i));
      auto s = item ? objects_.str(*item, 256) : Result<std::string>(std::unexpected(Error{"unreadable"}));
      info.names.push_back(s ? *s : "?");
    }
  }
  return &codes_.emplace(code, std::move(info)).first->second;
}

// A wrapper's closure holds what it wraps: the first function among its cells. From
// 3.11 the frame names its function (whose closure it is); before, the cells are in
// the frame's slots from the start.
uint64_t CallDecoder::wrapped_function(const PythonCallEvent& e, const CodeInfo& own) const {
  const auto& l = py_.layout;
  auto function_in_cell = [&](uint64_t cell) -> uint64_t {
    auto kind = objects_.type_name(cell);
    if (!kind || *kind != "cell") return 0;
    auto inner = mem_.read_pointer(cell + static_cast<uint64_t>(l.cell_ob_ref));
    if (!inner || !*inner) return 0;
    auto inner_kind = objects_.type_name(*inner);
    return inner_kind && *inner_kind == "function" ? *inner : 0;
  };
  if (e.function) {
    auto closure = mem_.read_pointer(e.function + static_cast<uint64_t>(l.func_func_closure));
    if (!closure || !*closure) return 0;
    auto n = mem_.read_value<int64_t>(*closure + static_cast<uint64_t>(l.var_ob_size));
    for (int64_t i = 0; n && i < std::min<int64_t>(*n, 8); ++i)
      if (auto cell = mem_.read_pointer(*closure + static_cast<uint64_t>(l.tuple_ob_item) + 8 * static_cast<uint64_t>(i)))
        if (uint64_t f = function_in_cell(*cell)) return f;
    return 0;
  }
  size_t first_cell = static_cast<size_t>(own.argcount + own.kwonly) + ((own.flags & kVarArgs) ? 1 : 0) +
                      ((own.flags & kVarKeywords) ? 1 : 0);
  for (size_t i = first_cell; i < BP_PY_LOCALS; ++i)
    if (e.locals[i])
      if (uint64_t f = function_in_cell(e.locals[i])) return f;
  return 0;
}

PythonCallInfo CallDecoder::describe(const PythonCallEvent& e, bool arguments) const {
  PythonCallInfo info;
  const CodeInfo* own = code_info(e.code);
  if (!own) {
    info.function = "<unreadable code object>";
    return info;
  }
  info.file = own->file;
  info.line = own->line;
  const CodeInfo* named = own;  // whose parameter names and qualname the call has
  uint64_t function = e.function;
  if (uint64_t inner = wrapped_function(e, *own)) {
    if (auto code = mem_.read_pointer(inner + static_cast<uint64_t>(py_.layout.func_func_code)))
      if (const CodeInfo* c = code_info(*code)) {
        named = c;
        function = inner;
      }
  }
  std::string qualname = named->qualname;  // co_qualname from 3.11; the function's own before
  if (function) {
    if (auto module = mem_.read_pointer(function + static_cast<uint64_t>(py_.layout.func_func_module)))
      if (auto text = objects_.str(*module, 256)) info.module = *text;
    if (named != own)
      if (auto q = mem_.read_pointer(function + static_cast<uint64_t>(py_.layout.func_func_qualname)))
        if (auto text = objects_.str(*q, 256)) qualname = *text;
  }
  // The values by parameter name: the frame's own arguments, then through a wrapper's
  // *args tuple and **kwargs dict. An object is read only while it still has the type
  // BPF saw in its slot at the event: freed and its memory reused, it would read as
  // something else (a clone GridSearchCV fitted and dropped within the millisecond).
  auto alive = [&](size_t slot) {
    if (slot >= BP_PY_LOCALS || !e.locals[slot]) return false;
    auto type = objects_.type_of(e.locals[slot]);
    return type && *type == e.local_types[slot];
  };
  struct Value {
    std::string name;
    uint64_t object;
    uint64_t type;  // seen by BPF at the event; 0 when read now (inside a tuple)
  };
  std::vector<Value> values;
  size_t own_params = static_cast<size_t>(own->argcount + own->kwonly);
  size_t param_count = static_cast<size_t>(named->argcount + named->kwonly);
  std::vector<std::pair<uint64_t, uint64_t>> positional;  // object, type at the event
  for (size_t i = 0; i < own_params && i < BP_PY_LOCALS; ++i) positional.emplace_back(e.locals[i], e.local_types[i]);
  if (named != own && (own->flags & kVarArgs) && own_params < BP_PY_LOCALS) {
    if (alive(own_params)) {
      uint64_t tuple = e.locals[own_params];
      auto n = mem_.read_value<int64_t>(tuple + static_cast<uint64_t>(py_.layout.var_ob_size));
      for (int64_t i = 0; n && i < std::min<int64_t>(*n, 16); ++i)
        if (auto item = mem_.read_pointer(tuple + static_cast<uint64_t>(py_.layout.tuple_ob_item) + 8 * static_cast<uint64_t>(i)))
          positional.emplace_back(*item, 0);
    } else {
      ++info.gone;
    }
  }
  for (size_t i = 0; i < positional.size() && i < param_count && i < named->names.size(); ++i)
    values.push_back({named->names[i], positional[i].first, positional[i].second});
  if (named != own && (own->flags & kVarKeywords)) {
    size_t slot = own_params + ((own->flags & kVarArgs) ? 1 : 0);
    if (alive(slot)) {
      if (auto entries = objects_.dict_entries(e.locals[slot], 32))
        for (const auto& kv : *entries)
          if (auto key = objects_.str(kv.key, 128)) values.push_back({*key, kv.value, 0});
    } else if (slot < BP_PY_LOCALS && e.locals[slot]) {
      ++info.gone;
    }
  }
  info.function = qualname;
  for (const auto& v : values) {
    // Whether the object still is what the event saw (where BPF saw it).
    bool same = true;
    if (v.type) {
      auto now = objects_.type_of(v.object);
      same = now && *now == v.type;
    }
    if (v.name == "self" && v.object) {
      // The class from the type BPF saw: right even when the instance is gone since.
      // Inside a *args tuple there is no such snapshot (a freed tuple is soon reused):
      // the class is then left unsaid. A class without the method is not its class.
      uint64_t type = v.type;
      std::string method = qualname.substr(qualname.rfind('.') + 1);
      auto has_method = type ? objects_.attribute(type, method) : Result<std::optional<uint64_t>>(std::nullopt);
      if (!type || !has_method || !*has_method) {
        ++info.gone;
        continue;
      }
      if (auto t = objects_.name_of_type(type)) info.instance_class = short_class(*t);
      if (same) {
        info.instance = v.object;
        info.instance_type = type;
      } else {
        ++info.gone;
      }
      continue;
    }
    if (!arguments) continue;  // a nested call: its name is all the pipeline shows
    if (!same) {
      ++info.gone;
      info.arguments.emplace_back(v.name, "<gone before bpfpads read it>");
      continue;
    }
    auto kind = objects_.type_name(v.object);
    if (kind && *kind == "numpy.ndarray") {
      if (auto shape = values_.ndarray_shape(v.object)) {
        info.arrays.push_back({v.name, parse_shape(shape->first), shape->second});
        info.arguments.emplace_back(v.name, "<ndarray " + shape->first + " " + shape->second + ">");
        continue;
      }
    }
    ValueLimits limits;
    limits.max_str = kMaxArgumentText;
    limits.max_items = 10;
    info.arguments.emplace_back(v.name, values_.text(v.object, limits));
  }
  // A method: its instance's class and the method's name ("RandomForestClassifier.fit"
  // for BaseForest.fit).
  if (!info.instance_class.empty()) {
    auto dot = info.function.rfind('.');
    info.function = info.instance_class + "." + (dot == std::string::npos ? info.function : info.function.substr(dot + 1));
  }
  info.nested = e.depth > 0;
  return info;
}

// The words that say where an instance keeps its attributes: the 3.11+ managed dict and
// values pointers (the two words before the GC links that precede the object; not the
// links nor the reference count, which change all the time), the 3.9/3.10 dict pointer.
// A fit adding attributes can move them while we read (a split table turned into a
// dict frees the values we were reading): a read is kept only when they held still.
std::string CallDecoder::attribute_storage(uint64_t instance) const {
  std::string out;
  if (py_.minor >= 11)  // before 3.11 what lies there is another allocation's
    if (auto before = mem_.read_bytes(instance - 32, 16)) out += *before;
  if (auto type = objects_.type_of(instance))
    if (auto offset = mem_.read_value<int64_t>(*type + static_cast<uint64_t>(py_.layout.type_tp_dictoffset));
        offset && *offset > 0 && *offset < 4096)
      if (auto dict = mem_.read_bytes(instance + static_cast<uint64_t>(*offset), 8)) out += *dict;
  return out;
}

void CallDecoder::add_params(PythonCallInfo& info) const {
  if (!info.instance) return;
  // Two reads that agree, with the attribute storage unmoved around each; three tries.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string storage = attribute_storage(info.instance);
    auto first = values_.estimator_params(info.instance);
    auto second = values_.estimator_params(info.instance);
    auto type = objects_.type_of(info.instance);
    if (!type || *type != info.instance_type) break;  // gone: the instance of the call no more
    if (first && second && *first == *second && storage == attribute_storage(info.instance)) {
      info.params = std::move(*first);
      return;
    }
  }
  ++info.gone;
}

void CallDecoder::add_return(const PythonCallEvent& exit, PythonCallInfo& info) const {
  if (!exit.ret) return;
  auto type = objects_.name_of_type(exit.ret_head[1]);
  if (!type) {
    info.return_text = "<unreadable>";
    return;
  }
  const uint64_t payload = exit.ret_head[2], digits = exit.ret_head[3];
  if (*type == "float" || *type == "numpy.float64") {
    double v;
    std::memcpy(&v, &payload, sizeof(v));
    info.return_number = v;
    info.return_text = python_float_repr(v);
  } else if (*type == "numpy.float32") {
    float f;
    std::memcpy(&f, &payload, sizeof(f));
    info.return_number = f;
    info.return_text = python_float_repr(f);
  } else if (*type == "numpy.int64") {
    info.return_number = static_cast<double>(static_cast<int64_t>(payload));
    info.return_text = std::to_string(static_cast<int64_t>(payload));
  } else if (*type == "int" || *type == "bool") {
    // Up to two 30-bit digits are in the snapshot; more is read now.
    int64_t ndigits;
    bool negative;
    if (py_.minor >= 12) {
      ndigits = static_cast<int64_t>(payload >> 3);
      negative = (payload & 3) == 2;
    } else {
      auto size = static_cast<int64_t>(payload);
      ndigits = size < 0 ? -size : size;
      negative = size < 0;
    }
    if (ndigits <= 2) {
      uint64_t v = (digits & 0x3fffffffu) | (ndigits == 2 ? ((digits >> 32) & 0x3fffffffu) << 30 : 0);
      if (ndigits == 0) v = 0;
      double d = negative ? -static_cast<double>(v) : static_cast<double>(v);
      info.return_number = d;
      info.return_text = *type == "bool" ? (v ? "True" : "False") : (negative && v ? "-" : "") + std::to_string(v);
    } else {
      info.return_text = values_.text(exit.ret);
    }
  } else if (*type == "NoneType") {
    info.return_text = "None";
  } else {
    // Only scalars are in the snapshot: a container or array read now may have been
    // freed and reused since the return, so its type (from the snapshot) is all that
    // is said of it.
    info.return_text = "<" + *type + ">";
  }
}

}  // namespace bpfpads
