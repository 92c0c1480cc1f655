#include "hooks/library_watch.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "bpfpads_bpf.skel.h"
#include "kernel/bpf_programs.h"
#include "symbols/elf_file.h"

namespace bpfpads {
namespace {

// st_value of the named symbols in .dynsym (both are exported by glibc's ld.so).
void find_dynamic_symbols(const ElfFile& elf, std::optional<uint64_t>& debug_state,
                          std::optional<uint64_t>& r_debug) {
  Elf_Scn* scn = elf.section(".dynsym");
  auto hdr = scn ? elf.section_header(scn) : std::nullopt;
  Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
  if (!hdr || !data || hdr->sh_entsize == 0) return;
  for (size_t i = 0; i < hdr->sh_size / hdr->sh_entsize; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    const char* name = elf_strptr(elf.elf(), hdr->sh_link, sym.st_name);
    if (!name) continue;
    if (std::strcmp(name, "_dl_debug_state") == 0) debug_state = sym.st_value;
    if (std::strcmp(name, "_r_debug") == 0) r_debug = sym.st_value;
  }
}

}  // namespace

Result<LoaderDebugSymbols> loader_debug_symbols(const std::string& loader_path) {
  auto elf = ElfFile::open(loader_path);
  if (!elf) return std::unexpected(elf.error());
  std::optional<uint64_t> debug_state, r_debug;
  find_dynamic_symbols(*elf, debug_state, r_debug);
  if (!debug_state || !r_debug) return make_error("no _dl_debug_state or _r_debug in .dynsym", loader_path);
  return LoaderDebugSymbols{static_cast<uint32_t>(*debug_state & 0xfff),
                            static_cast<int64_t>(*r_debug - *debug_state)};
}

bp_lib_watch_config lib_watch_config(const std::vector<std::string>& prefixes, bool match_all, bool new_programs) {
  bp_lib_watch_config config{};
  config.new_programs = new_programs;
  config.match_all = match_all || prefixes.size() > BP_LIB_WATCH_NAMES;
  for (const auto& p : prefixes) {
    // An empty name selects every object; a long one is not compared in BPF.
    if (p.empty() || p.size() >= BP_LIB_WATCH_NAME_MAX) config.match_all = 1;
    if (config.match_all) break;
    std::memcpy(config.names[config.nnames++], p.data(), p.size());
  }
  if (config.match_all) config.nnames = 0;
  return config;
}

Result<> LibraryWatch::set_config(const bp_lib_watch_config& config) {
  uint32_t zero = 0;
  int fd = bpf_map__fd(programs_.skel()->maps.lib_watch_config);
  if (bpf_map_update_elem(fd, &zero, &config, BPF_ANY) != 0)
    return make_errno_error("cannot store the library-load watch's names", errno, "lib_watch_config");
  return {};
}

Result<> LibraryWatch::watch(const std::filesystem::path& dynamic_loader) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "_dl_debug_state");
  BpfLinkPtr link(bpf_program__attach_uprobe_opts(programs_.skel()->progs.library_loaded, -1,
                                                  dynamic_loader.c_str(), 0, &opts));
  if (!link) return make_errno_error("cannot watch library loads", errno, dynamic_loader.string() + ":_dl_debug_state");
  links_.push_back(std::move(link));

  auto symbols = loader_debug_symbols(dynamic_loader);
  if (!symbols) return std::unexpected(symbols.error().with_context("library loads stop the job at every load"));
  // Two loaders whose _dl_debug_state share a page offset cannot be told apart:
  // delta 0 makes both stop at every call.
  auto same_page = [&](const LoaderDebugSymbols& l) { return l.page_offset == symbols->page_offset; };
  auto other = std::find_if(loaders_.begin(), loaders_.end(), same_page);
  int64_t delta = other == loaders_.end() || other->r_debug_delta == symbols->r_debug_delta ? symbols->r_debug_delta : 0;
  loaders_.push_back(*symbols);
  int fd = bpf_map__fd(programs_.skel()->maps.lib_watch_r_debug);
  if (bpf_map_update_elem(fd, &symbols->page_offset, &delta, BPF_ANY) != 0)
    return make_errno_error("cannot store the loader's _r_debug offset", errno, dynamic_loader.string());
  return {};
}

}  // namespace bpfpads
