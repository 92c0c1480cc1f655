#include "python/python_process.h"

#include <gelf.h>

#include <filesystem>
#include <optional>
#include <regex>

#include "common/text.h"
#include "python/remote_memory.h"
#include "symbols/elf_file.h"
#include "symbols/library_locator.h"

namespace bpfpads {
namespace {

struct SymbolSpan {
  uint64_t value = 0, size = 0;
};

// A symbol's st_value and st_size from .dynsym, else .symtab.
std::optional<SymbolSpan> symbol_span(const ElfFile& file, const std::string& name) {
  for (const char* table : {".dynsym", ".symtab"}) {
    Elf_Scn* scn = file.section(table);
    if (!scn) continue;
    auto shdr = file.section_header(scn);
    Elf_Data* data = shdr ? elf_getdata(scn, nullptr) : nullptr;
    if (!data || shdr->sh_entsize == 0) continue;
    size_t count = shdr->sh_size / shdr->sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_value == 0) continue;
      const char* n = elf_strptr(file.elf(), shdr->sh_link, sym.st_name);
      if (n && name == n) return SymbolSpan{sym.st_value, sym.st_size};
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> data_symbol(const ElfFile& file, const std::string& name) {
  auto span = symbol_span(file, name);
  return span ? std::optional<uint64_t>(span->value) : std::nullopt;
}

// Load bias of `path` in the process: where its first PT_LOAD segment was mapped,
// less the address the file asked for (0 for a non-PIE executable).
std::optional<uint64_t> load_bias(const std::vector<MapsEntry>& maps, const std::string& path, const ElfFile& file) {
  auto loads = file.load_segments();
  if (loads.empty()) return std::nullopt;
  const GElf_Phdr& first = loads.front();
  for (const auto& m : maps)
    if (m.path == path && m.offset == (first.p_offset & ~0xfffULL)) return m.start - (first.p_vaddr & ~0xfffULL);
  return std::nullopt;
}

bool looks_like_python(const std::string& file_name) {
  return file_name.rfind("libpython3", 0) == 0 || file_name.rfind("python3", 0) == 0 || file_name == "python";
}

}  // namespace

std::string PythonProcess::version() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro);
}

bp_python_proc bpf_python_layout(const PythonProcess& py) {
  const PythonLayout& l = py.layout;
  auto u16 = [](long v) { return static_cast<uint16_t>(v < 0 ? 0 : v); };
  bp_python_proc out{};
  out.runtime = py.runtime_address;
  if (l.tstate_native_thread_id >= 0) out.flags |= BP_PY_TSTATE_BY_THREAD_ID;
  if (l.tstate_cframe >= 0) out.flags |= BP_PY_CFRAME;
  if (l.frame_function >= 0) out.flags |= BP_PY_FRAME_FUNCTION;
  out.interpreters_head = u16(l.runtime_interpreters_head);
  out.gil_tstate_current = u16(l.runtime_gilstate_tstate_current);
  out.threads_head = u16(l.interp_threads_head);
  out.tstate_next = u16(l.tstate_next);
  out.native_thread_id = u16(l.tstate_native_thread_id);
  out.cframe = u16(l.tstate_cframe);
  out.current_frame = u16(l.tstate_current_frame);
  out.frame_code = u16(l.frame_code);
  out.frame_localsplus = u16(l.frame_localsplus);
  out.frame_function = u16(l.frame_function);
  out.frame_previous = u16(l.frame_previous);
  return out;
}

std::pair<int, int> python_version_from_name(const std::string& file_name) {
  static const std::regex version(R"((?:^|[^0-9.])(3)\.([0-9]{1,2})(?:[^0-9]|$))");
  std::smatch m;
  if (!std::regex_search(file_name, m, version)) return {0, 0};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

Result<PythonProcess> find_python(pid_t pid) {
  const std::string where = "pid " + std::to_string(pid);
  const std::string proc = "/proc/" + std::to_string(pid);
  auto maps_text = read_text_file(proc + "/maps");
  if (!maps_text) return std::unexpected(maps_text.error().with_context(where));
  auto maps = parse_proc_maps(*maps_text);
  auto files = mapped_elf_files(pid);
  if (!files) return std::unexpected(files.error());
  for (const auto& f : *files) {
    std::string name = std::filesystem::path(f.path).filename();
    if (!looks_like_python(name)) continue;
    auto elf = ElfFile::open(f.open_path);
    if (!elf) continue;
    auto runtime = data_symbol(*elf, "_PyRuntime");
    if (!runtime) continue;
    auto bias = load_bias(maps, f.path, *elf);
    if (!bias) continue;
    PythonProcess py;
    py.pid = pid;
    py.object_path = f.path;
    py.runtime_address = *bias + *runtime;
    if (auto eval = symbol_span(*elf, "_PyEval_EvalFrameDefault"); eval && eval->size) {
      py.eval_loop_begin = *bias + eval->value;
      py.eval_loop_end = py.eval_loop_begin + eval->size;
    }
    RemoteMemory mem(pid);
    // Py_Version (3.11+) says major.minor.micro; older builds say it in their file name.
    if (auto v = data_symbol(*elf, "Py_Version")) {
      auto hex = mem.read_value<uint32_t>(*bias + *v);
      if (!hex) return std::unexpected(hex.error().with_context("reading Py_Version"));
      py.major = static_cast<int>(*hex >> 24);
      py.minor = static_cast<int>((*hex >> 16) & 0xff);
      py.micro = static_cast<int>((*hex >> 8) & 0xff);
    } else {
      std::tie(py.major, py.minor) = python_version_from_name(name);
    }
    if (py.major == 0) return make_error("cannot tell the Python version of " + f.path, where);
    // 3.13+ states its build in the debug offsets at the start of _PyRuntime.
    if (py.major == 3 && py.minor >= 13) {
      auto cookie = mem.read_bytes(py.runtime_address, 8);
      if (cookie && *cookie == "xdebugpy") {
        auto free_threaded = mem.read_value<uint64_t>(py.runtime_address + 16);
        if (free_threaded && *free_threaded)
          return make_error("Python " + py.version() + " is a free-threaded build, which bpfpads cannot read yet",
                            where);
      }
    }
    auto layout = python_layout(py.major, py.minor);
    if (!layout)
      return make_error("Python " + py.version() + " is not one bpfpads can read (it reads " +
                            supported_python_versions() + ")",
                        where);
    py.layout = *layout;
    return py;
  }
  return make_error("no Python interpreter found in this process (no libpython or python executable holding "
                    "_PyRuntime)",
                    where);
}

}  // namespace bpfpads
