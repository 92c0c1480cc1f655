#include "python/python_resolver.h"

#include "common/text.h"
#include "python/python_bytecode.h"

namespace bpfpads {
namespace {

std::vector<std::string> split_dots(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string join_dots(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? "." : "") + parts[i];
  return out;
}

}  // namespace

Result<uint64_t> PythonResolver::sys_modules() const {
  const auto& l = py_.layout;
  auto interp = mem_.read_pointer(py_.runtime_address + static_cast<uint64_t>(l.runtime_interpreters_head));
  if (!interp) return std::unexpected(interp.error().with_context("the interpreter list"));
  auto modules = mem_.read_pointer(*interp + static_cast<uint64_t>(l.interp_modules));
  if (!modules) return std::unexpected(modules.error().with_context("sys.modules"));
  return *modules;
}

Result<std::vector<std::string>> PythonResolver::module_names() const {
  auto modules = sys_modules();
  if (!modules) return std::unexpected(modules.error());
  auto entries = objects_.dict_entries(*modules);
  if (!entries) return std::unexpected(entries.error().with_context("sys.modules"));
  std::vector<std::string> names;
  for (const auto& e : *entries)
    if (auto n = objects_.str(e.key, 512)) names.push_back(*n);
  return names;
}

Result<std::string> PythonResolver::module_string(const std::string& module, const std::string& attribute) const {
  auto modules = sys_modules();
  if (!modules) return std::unexpected(modules.error());
  auto found = objects_.dict_get(*modules, module);
  if (!found) return std::unexpected(found.error().with_context("sys.modules"));
  if (!*found) return make_error("module " + module + " is not imported (yet)");
  auto value = objects_.attribute(**found, attribute);
  if (!value) return std::unexpected(value.error().with_context(module));
  if (!*value) return make_error(module + " has no attribute " + attribute);
  return objects_.str(**value, 256);
}

Result<PythonFunction> PythonResolver::function(const std::string& dotted_path) const {
  auto parts = split_dots(dotted_path);
  auto modules = sys_modules();
  if (!modules) return std::unexpected(modules.error());
  // The longest prefix that is an imported module.
  uint64_t object = 0;
  size_t used = parts.size();
  for (; used > 0; --used) {
    auto found = objects_.dict_get(*modules, join_dots(parts, used));
    if (!found) return std::unexpected(found.error().with_context("sys.modules"));
    if (*found) {
      object = **found;
      break;
    }
  }
  if (!object) return make_error("module " + parts[0] + " is not imported (yet)", dotted_path);
  for (size_t i = used; i < parts.size(); ++i) {
    // "f.<locals>.g": a function defined inside f, found among f's code constants (it
    // has no object until f runs; its code object exists once f's does).
    if (parts[i] == "<locals>") {
      auto nested = nested_code(object, parts, i, dotted_path);
      if (!nested) return std::unexpected(nested.error());
      return nested;
    }
    auto next = objects_.attribute(object, parts[i]);
    if (!next) return std::unexpected(next.error().with_context(dotted_path));
    if (!*next) return make_error(join_dots(parts, i) + " has no attribute " + parts[i], dotted_path);
    object = **next;
  }
  auto kind = objects_.type_name(object);
  if (!kind) return std::unexpected(kind.error().with_context(dotted_path));
  // staticmethod and classmethod hold the function as their first field.
  if (*kind == "staticmethod" || *kind == "classmethod") {
    auto inner = mem_.read_pointer(object + 16);
    if (!inner) return std::unexpected(inner.error().with_context(dotted_path));
    object = *inner;
    kind = objects_.type_name(object);
    if (!kind) return std::unexpected(kind.error().with_context(dotted_path));
  }
  if (*kind != "function") return make_error("is a " + *kind + ", not a Python function", dotted_path);
  auto code = mem_.read_pointer(object + static_cast<uint64_t>(py_.layout.func_func_code));
  if (!code) return std::unexpected(code.error().with_context(dotted_path));
  auto described = describe_code(*code);
  if (!described) return std::unexpected(described.error().with_context(dotted_path));
  described->path = dotted_path;
  described->function = object;
  return described;
}

Result<uint64_t> PythonResolver::code_constant(uint64_t code, const std::string& name) const {
  const auto& l = py_.layout;
  auto consts = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_consts));
  if (!consts) return std::unexpected(consts.error());
  auto size = mem_.read_value<int64_t>(*consts + static_cast<uint64_t>(l.var_ob_size));
  if (!size) return std::unexpected(size.error());
  if (*size < 0 || *size > 4096) return make_error("co_consts of implausible size " + std::to_string(*size));
  for (int64_t k = 0; k < *size; ++k) {
    auto item = mem_.read_pointer(*consts + static_cast<uint64_t>(l.tuple_ob_item) + static_cast<uint64_t>(8 * k));
    if (!item) return std::unexpected(item.error());
    auto kind = objects_.type_name(*item);
    if (!kind || *kind != "code") continue;
    auto co_name = mem_.read_pointer(*item + static_cast<uint64_t>(l.code_co_name));
    if (!co_name) continue;
    if (auto n = objects_.str(*co_name, 512); n && *n == name) return *item;
  }
  return make_error("defines no function " + name);
}

// From the function or code object `object` at parts[i] == "<locals>": each
// "<locals>.NAME" step is a code constant named NAME; the path must end at one.
Result<PythonFunction> PythonResolver::nested_code(uint64_t object, const std::vector<std::string>& parts, size_t i,
                                                   const std::string& dotted_path) const {
  auto kind = objects_.type_name(object);
  if (!kind) return std::unexpected(kind.error().with_context(dotted_path));
  uint64_t code = object;
  if (*kind == "function") {
    auto c = mem_.read_pointer(object + static_cast<uint64_t>(py_.layout.func_func_code));
    if (!c) return std::unexpected(c.error().with_context(dotted_path));
    code = *c;
  } else if (*kind != "code") {
    return make_error(join_dots(parts, i) + " is a " + *kind + ": only functions have <locals>", dotted_path);
  }
  for (; i < parts.size(); i += 2) {
    if (parts[i] != "<locals>" || i + 1 >= parts.size())
      return make_error("after a function's <locals> only \"<locals>.NAME\" steps may follow", dotted_path);
    auto inner = code_constant(code, parts[i + 1]);
    if (!inner) return std::unexpected(inner.error().with_context(join_dots(parts, i)).with_context(dotted_path));
    code = *inner;
  }
  auto described = describe_code(code);
  if (!described) return std::unexpected(described.error().with_context(dotted_path));
  described->path = dotted_path;
  return described;
}

Result<PythonFunction> PythonResolver::describe_code(uint64_t code) const {
  const auto& l = py_.layout;
  auto kind = objects_.type_name(code);
  if (!kind) return std::unexpected(kind.error());
  if (*kind != "code") return make_error("expected a code object, found " + *kind);
  PythonFunction f;
  f.code = code;
  auto name_field = l.code_co_qualname >= 0 ? l.code_co_qualname : l.code_co_name;
  auto name = mem_.read_pointer(code + static_cast<uint64_t>(name_field));
  auto file = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_filename));
  auto line = mem_.read_value<int32_t>(code + static_cast<uint64_t>(l.code_co_firstlineno));
  if (!name || !file || !line) return make_error("unreadable code object");
  if (auto s = objects_.str(*name, 1024)) f.qualname = *s;
  if (auto s = objects_.str(*file, 4096)) f.filename = *s;
  f.first_line = *line;
  if (l.code_co_code_adaptive >= 0) {
    f.first_instruction = code + static_cast<uint64_t>(l.code_co_code_adaptive);
  } else {
    auto bytes = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_code));
    if (!bytes) return std::unexpected(bytes.error());
    f.first_instruction = *bytes + static_cast<uint64_t>(l.bytes_ob_sval);
  }
  return f;
}

}  // namespace bpfpads

namespace bpfpads {

Result<CodeUnits> PythonResolver::code_units(uint64_t code) const {
  const auto& l = py_.layout;
  auto facts = bytecode_facts(py_.major, py_.minor);
  if (!facts) return make_error("no bytecode table for Python " + py_.version());
  auto tuple_size = [&](long field) -> Result<int64_t> {
    auto tuple = mem_.read_pointer(code + static_cast<uint64_t>(field));
    if (!tuple) return std::unexpected(tuple.error());
    auto n = mem_.read_value<int64_t>(*tuple + static_cast<uint64_t>(l.var_ob_size));
    if (!n) return std::unexpected(n.error());
    if (*n < 0 || *n > 65535) return make_error("a code tuple of implausible size " + std::to_string(*n));
    return *n;
  };
  CodeUnits units;
  uint64_t bytes_at = 0;
  int64_t size = 0;
  if (l.code_co_code_adaptive >= 0) {  // 3.11+: the code object holds its units
    auto n = mem_.read_value<int64_t>(code + static_cast<uint64_t>(l.var_ob_size));
    if (!n) return std::unexpected(n.error());
    bytes_at = code + static_cast<uint64_t>(l.code_co_code_adaptive);
    size = 2 * *n;
  } else {
    auto bytes = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_code));
    if (!bytes) return std::unexpected(bytes.error());
    auto n = mem_.read_value<int64_t>(*bytes + static_cast<uint64_t>(l.var_ob_size));
    if (!n) return std::unexpected(n.error());
    bytes_at = *bytes + static_cast<uint64_t>(l.bytes_ob_sval);
    size = *n;
  }
  if (size <= 0 || size > (1 << 20)) return make_error("bytecode of implausible size " + std::to_string(size));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (auto r = mem_.read(bytes_at, bytes.data(), bytes.size()); !r) return std::unexpected(r.error());
  units.entry = bytes_at;

  int64_t slots = 0;
  if (l.code_co_cellvars < 0) {
    auto n = tuple_size(l.code_co_localsplusnames);
    if (!n) return std::unexpected(n.error());
    slots = *n;
  } else {
    for (long field : {l.code_co_localsplusnames, l.code_co_cellvars, l.code_co_freevars}) {
      auto n = tuple_size(field);
      if (!n) return std::unexpected(n.error());
      slots += *n;
    }
  }
  if (slots >= 0xffff) return make_error("a frame of " + std::to_string(slots) + " slots");
  units.stack_slot = static_cast<uint16_t>(slots);

  auto consts = mem_.read_pointer(code + static_cast<uint64_t>(l.code_co_consts));
  for (const auto& site : find_returns(bytes, *facts)) {
    CodeUnits::Return r;
    r.address = bytes_at + site.offset;
    r.constant = site.constant;
    if (site.constant && consts)
      if (auto item = mem_.read_pointer(*consts + static_cast<uint64_t>(l.tuple_ob_item) + 8 * site.const_index))
        r.const_object = *item;
    units.returns.push_back(r);
  }
  return units;
}

}  // namespace bpfpads
