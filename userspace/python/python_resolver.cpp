#include "python/python_resolver.h"

#include "common/text.h"

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
