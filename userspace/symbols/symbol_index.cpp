#include "symbols/symbol_index.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "symbols/demangled_name.h"

namespace bpfpads {
namespace {

constexpr uint8_t kEndbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};

// Lower rank is preferred as the probe target's name among aliases.
int binding_rank(uint8_t binding) {
  switch (binding) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
  }
}

void read_table(const ElfFile& file, Elf_Scn* scn, const GElf_Shdr& shdr, bool dynamic,
                std::vector<ElfSymbol>& out) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || shdr.sh_entsize == 0) return;
  size_t count = shdr.sh_size / shdr.sh_entsize;
  for (size_t i = 1; i < count; ++i) {  // entry 0 is the null symbol
    GElf_Sym sym;
    if (!gelf_getsym(data, int(i), &sym)) continue;
    uint8_t type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
    if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;  // imports, PLT refs
    const char* name = elf_strptr(file.elf(), shdr.sh_link, sym.st_name);
    if (!name || !*name) continue;
    auto offset = file.vaddr_to_offset(sym.st_value);
    if (!offset) continue;  // not in a file-backed segment: nothing to probe
    ElfSymbol s;
    s.name = name;
    s.address = sym.st_value;
    s.file_offset = *offset;
    s.size = sym.st_size;
    s.binding = GELF_ST_BIND(sym.st_info);
    s.ifunc = type == STT_GNU_IFUNC;
    s.exported = dynamic;
    out.push_back(std::move(s));
  }
}

struct Cache {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const SymbolTable>> tables;
};

Cache& cache() {
  static Cache c;
  return c;
}

// A stripped file and its unstripped original share a build-id but not their
// .symtab, so the key also says whether a .symtab is present.
std::string cache_key(const ElfFile& file, bool exported_only) {
  std::string id = file.build_id();
  bool symtab = !exported_only && file.section(".symtab") != nullptr;
  const std::string scope = exported_only ? "#exported" : "";
  if (!id.empty()) return "build-id:" + id + (symtab ? "+symtab" : "") + scope;
  const auto& f = file.identity();
  return "file:" + std::to_string(f.dev) + ":" + std::to_string(f.ino) + ":" +
         std::to_string(f.mtime_ns) + ":" + std::to_string(f.size) + scope;
}

}  // namespace

SymbolTable SymbolTable::build(const ElfFile& file, bool exported_only) {
  SymbolTable table;
  table.build_id = file.build_id();
  std::vector<ElfSymbol>& syms = table.symbols;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.elf(), scn)) != nullptr) {
    auto shdr = file.section_header(scn);
    if (!shdr || (shdr->sh_type != SHT_SYMTAB && shdr->sh_type != SHT_DYNSYM)) continue;
    if (exported_only && shdr->sh_type != SHT_DYNSYM) continue;
    table.has_symtab = table.has_symtab || shdr->sh_type == SHT_SYMTAB;
    read_table(file, scn, *shdr, shdr->sh_type == SHT_DYNSYM, syms);
  }

  // Sort so duplicates (same name in .dynsym and .symtab) are adjacent, merge
  // them, then order by address with the preferred alias first.
  std::sort(syms.begin(), syms.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    if (a.address != b.address) return a.address < b.address;
    if (a.name != b.name) return a.name < b.name;
    return a.exported > b.exported;
  });
  size_t w = 0;
  for (size_t r = 0; r < syms.size(); ++r) {
    if (w > 0 && syms[w - 1].address == syms[r].address && syms[w - 1].name == syms[r].name) {
      syms[w - 1].exported = syms[w - 1].exported || syms[r].exported;
      continue;
    }
    if (w != r) syms[w] = std::move(syms[r]);
    ++w;
  }
  syms.resize(w);
  std::stable_sort(syms.begin(), syms.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    if (a.address != b.address) return a.address < b.address;
    if (a.exported != b.exported) return a.exported;
    return binding_rank(a.binding) < binding_rank(b.binding);
  });

  uint64_t last_address = ~0ull;
  uint64_t last_probe = 0;
  for (ElfSymbol& s : syms) {
    SplitName split = split_symbol_name(s.name.c_str(), s.demangled);
    s.components = std::move(split.components);
    s.signature = std::move(split.signature);
    s.secondary = split.secondary;
    // A probe on endbr64 is single-stepped (~10 us a hit); one instruction
    // later it is emulated (~0.8 us). endbr64 touches no state, so skipping it
    // loses nothing, uretprobes included.
    if (s.address != last_address) {
      auto head = file.bytes(s.file_offset, sizeof kEndbr64);
      bool endbr = head.size() == sizeof kEndbr64 && std::equal(head.begin(), head.end(), kEndbr64);
      last_probe = s.file_offset + (endbr && s.size != 4 ? 4 : 0);
      last_address = s.address;
    }
    s.probe_offset = last_probe;
  }
  return table;
}

Result<SymbolIndex> SymbolIndex::build(const std::string& path) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  return SymbolIndex(path, std::make_shared<const SymbolTable>(SymbolTable::build(*file)));
}

Result<SymbolIndex> SymbolIndex::open(const std::string& path, bool exported_only) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  std::string key = cache_key(*file, exported_only);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mu);
    if (auto it = c.tables.find(key); it != c.tables.end()) return SymbolIndex(path, it->second);
  }
  // Built outside the lock: indexing a large library takes a while, and other
  // files should not wait for it. A rare duplicate build is harmless.
  auto table = std::make_shared<const SymbolTable>(SymbolTable::build(*file, exported_only));
  std::lock_guard lock(c.mu);
  auto [it, inserted] = c.tables.emplace(key, std::move(table));
  return SymbolIndex(path, it->second);
}

std::span<const ElfSymbol> SymbolIndex::at_address(uint64_t address) const {
  const auto& syms = table_->symbols;
  auto lo = std::lower_bound(syms.begin(), syms.end(), address,
                             [](const ElfSymbol& s, uint64_t a) { return s.address < a; });
  auto hi = lo;
  while (hi != syms.end() && hi->address == address) ++hi;
  return {lo, hi};
}

size_t symbol_cache_size() {
  std::lock_guard lock(cache().mu);
  return cache().tables.size();
}

void clear_symbol_cache() {
  std::lock_guard lock(cache().mu);
  cache().tables.clear();
}

}  // namespace bpfpads
