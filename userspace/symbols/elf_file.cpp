#include "symbols/elf_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <mutex>

namespace bpfpads {
namespace {

Result<> init_libelf() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = elf_version(EV_CURRENT) != EV_NONE; });
  if (!ok) return make_error("libelf is older than this program's ELF headers");
  return {};
}

std::string elf_message(const char* what) {
  return std::string(what) + ": " + elf_errmsg(-1);
}

std::vector<std::string> split_path_list(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(':', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void walk_notes(Elf_Data* data, const std::function<bool(const ElfNote&)>& fn, bool& go_on) {
  if (!data || !data->d_buf) return;
  const auto* base = static_cast<const uint8_t*>(data->d_buf);
  size_t offset = 0;
  GElf_Nhdr nhdr;
  size_t name_off = 0, desc_off = 0;
  while (go_on && offset < data->d_size) {
    size_t next = gelf_getnote(data, offset, &nhdr, &name_off, &desc_off);
    if (next == 0) break;
    ElfNote note;
    note.type = nhdr.n_type;
    // n_namesz counts the terminating NUL.
    size_t owner_len = nhdr.n_namesz > 0 ? nhdr.n_namesz - 1 : 0;
    note.owner = std::string_view(reinterpret_cast<const char*>(base + name_off), owner_len);
    note.desc = std::span<const uint8_t>(base + desc_off, nhdr.n_descsz);
    go_on = fn(note);
    offset = next;
  }
}

}  // namespace

Result<ElfFile> ElfFile::open(const std::string& path) {
  if (auto ok = init_libelf(); !ok) return std::unexpected(ok.error().with_context(path));
  ElfFile file;
  file.path_ = path;
  file.fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.fd_.valid()) return make_errno_error("cannot open ELF file", errno, path);

  struct stat st {};
  if (::fstat(file.fd_.get(), &st) != 0) return make_errno_error("cannot stat", errno, path);
  if (!S_ISREG(st.st_mode)) return make_error("not a regular file", path);
  file.identity_ = {st.st_dev, st.st_ino,
                    int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                    uint64_t(st.st_size)};

  // mmap keeps large libraries (100+ MiB) out of the heap; plain read is the
  // fallback for files that cannot be mapped.
  Elf* e = elf_begin(file.fd_.get(), ELF_C_READ_MMAP, nullptr);
  if (!e) e = elf_begin(file.fd_.get(), ELF_C_READ, nullptr);
  if (!e) return make_error(elf_message("elf_begin failed"), path);
  file.elf_.reset(e);
  if (elf_kind(e) != ELF_K_ELF) return make_error("not an ELF file", path);
  if (!gelf_getehdr(e, &file.ehdr_)) return make_error(elf_message("bad ELF header"), path);

  file.image_ = reinterpret_cast<const uint8_t*>(elf_rawfile(e, &file.image_size_));
  if (!file.image_) return make_error(elf_message("cannot read ELF image"), path);

  size_t phnum = 0;
  if (elf_getphdrnum(e, &phnum) != 0) phnum = 0;
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(e, int(i), &ph) && ph.p_type == PT_LOAD) file.loads_.push_back(ph);
  }
  if (elf_getshdrstrndx(e, &file.shstrndx_) != 0) file.shstrndx_ = 0;
  return file;
}

std::optional<uint64_t> ElfFile::vaddr_to_offset(uint64_t vaddr) const {
  for (const auto& ph : loads_) {
    if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
      return vaddr - ph.p_vaddr + ph.p_offset;
  }
  return std::nullopt;
}

std::span<const uint8_t> ElfFile::bytes(uint64_t offset, size_t len) const {
  if (offset > image_size_ || len > image_size_ - offset) return {};
  return {image_ + offset, len};
}

Elf_Scn* ElfFile::section(std::string_view name) const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf_.get(), scn)) != nullptr) {
    auto shdr = section_header(scn);
    if (shdr && section_name(*shdr) == name) return scn;
  }
  return nullptr;
}

std::optional<GElf_Shdr> ElfFile::section_header(Elf_Scn* scn) const {
  GElf_Shdr shdr;
  if (!scn || !gelf_getshdr(scn, &shdr)) return std::nullopt;
  return shdr;
}

std::string_view ElfFile::section_name(const GElf_Shdr& shdr) const {
  const char* n = elf_strptr(elf_.get(), shstrndx_, shdr.sh_name);
  return n ? std::string_view(n) : std::string_view();
}

void ElfFile::for_each_note(const std::function<bool(const ElfNote&)>& fn) const {
  bool go_on = true;
  bool saw_note_section = false;
  Elf_Scn* scn = nullptr;
  while (go_on && (scn = elf_nextscn(elf_.get(), scn)) != nullptr) {
    auto shdr = section_header(scn);
    if (!shdr || shdr->sh_type != SHT_NOTE) continue;
    saw_note_section = true;
    walk_notes(elf_getdata(scn, nullptr), fn, go_on);
  }
  if (saw_note_section) return;
  // Section headers can be stripped (sstrip); the program headers still find
  // the allocated notes, including the build-id.
  size_t phnum = 0;
  if (elf_getphdrnum(elf_.get(), &phnum) != 0) return;
  for (size_t i = 0; go_on && i < phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf_.get(), int(i), &ph) || ph.p_type != PT_NOTE) continue;
    Elf_Type type = ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR;
    walk_notes(elf_getdata_rawchunk(elf_.get(), int64_t(ph.p_offset), ph.p_filesz, type), fn,
               go_on);
  }
}

std::string ElfFile::build_id() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for_each_note([&](const ElfNote& note) {
    if (note.type != NT_GNU_BUILD_ID || note.owner != "GNU") return true;
    for (uint8_t b : note.desc) {
      id.push_back(kHex[b >> 4]);
      id.push_back(kHex[b & 0xf]);
    }
    return false;
  });
  return id;
}

DynamicInfo read_dynamic_info(const ElfFile& file) {
  DynamicInfo info;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.elf(), scn)) != nullptr) {
    auto shdr = file.section_header(scn);
    if (!shdr || shdr->sh_type != SHT_DYNAMIC) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || shdr->sh_entsize == 0) continue;
    size_t count = shdr->sh_size / shdr->sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (!gelf_getdyn(data, int(i), &dyn) || dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag != DT_SONAME && dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
          dyn.d_tag != DT_RPATH)
        continue;
      const char* s = elf_strptr(file.elf(), shdr->sh_link, dyn.d_un.d_val);
      if (!s) continue;
      switch (dyn.d_tag) {
        case DT_SONAME: info.soname = s; break;
        case DT_NEEDED: info.needed.emplace_back(s); break;
        case DT_RUNPATH: info.runpath = split_path_list(s); break;
        case DT_RPATH: info.rpath = split_path_list(s); break;
      }
    }
    break;
  }
  return info;
}

}  // namespace bpfpads
