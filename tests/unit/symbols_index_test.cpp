#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "symbols/elf_file.h"
#include "symbols/symbol_index.h"

namespace bpfpads {
namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

struct Load {
  uint64_t offset, vaddr, filesz;
};

// PT_LOAD segments as binutils sees them: an independent check on libelf.
std::vector<Load> readelf_loads(const std::string& path) {
  std::vector<Load> loads;
  std::istringstream in(run("readelf -lW " + path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string type;
    f >> type;
    if (type != "LOAD") continue;
    std::string off, va, pa, fs;
    f >> off >> va >> pa >> fs;
    loads.push_back({std::stoull(off, nullptr, 16), std::stoull(va, nullptr, 16),
                     std::stoull(fs, nullptr, 16)});
  }
  return loads;
}

// name -> address of defined FUNC/IFUNC symbols per `readelf -sW` (both
// tables), or per `readelf -W --dyn-syms` (.dynsym only) with dynamic_only.
std::map<std::string, uint64_t> readelf_functions(const std::string& path, bool dynamic_only = false) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(run(std::string("readelf -W ") + (dynamic_only ? "--dyn-syms " : "-s ") + path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string num, value, size, type, bind, vis, ndx, name;
    if (!(f >> num >> value >> size >> type >> bind >> vis >> ndx >> name)) continue;
    if ((type != "FUNC" && type != "IFUNC") || ndx == "UND") continue;
    out[name.substr(0, name.find('@'))] = std::stoull(value, nullptr, 16);
  }
  return out;
}

const ElfSymbol* find(const SymbolIndex& idx, const std::string& name) {
  for (const auto& s : idx.symbols())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<uint8_t> file_bytes(const std::string& path, uint64_t off, size_t n) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(std::streamoff(off));
  std::vector<uint8_t> b(n);
  f.read(reinterpret_cast<char*>(b.data()), std::streamsize(n));
  return b;
}

TEST(ElfFile, OpensAndReportsErrorsWithPath) {
  auto missing = ElfFile::open("/nonexistent/libnothing.so");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().err_no, ENOENT);
  EXPECT_NE(missing.error().describe().find("/nonexistent/libnothing.so"), std::string::npos);

  auto not_elf = ElfFile::open("/etc/hostname");
  if (!not_elf) {
    EXPECT_NE(not_elf.error().describe().find("not an ELF"), std::string::npos);
  }
}

TEST(ElfFile, BuildIdMatchesReadelf) {
  auto f = ElfFile::open(BPFPADS_SYM_CPP);
  ASSERT_TRUE(f) << f.error().describe();
  std::string notes = run(std::string("readelf -n ") + BPFPADS_SYM_CPP);
  size_t at = notes.find("Build ID: ");
  ASSERT_NE(at, std::string::npos);
  std::string expected = notes.substr(at + 10, notes.find('\n', at) - at - 10);
  EXPECT_EQ(f->build_id(), expected);
  EXPECT_EQ(f->build_id().size(), 40u);  // SHA-1
}

TEST(SymbolIndex, NamesComponentsAndOverloads) {
  auto idx = SymbolIndex::build(BPFPADS_SYM_CPP);
  ASSERT_TRUE(idx) << idx.error().describe();
  using V = std::vector<std::string>;

  const ElfSymbol* si = find(*idx, "_ZN12bpfpads_test6shapes6Circle5scaleEi");
  const ElfSymbol* sd = find(*idx, "_ZN12bpfpads_test6shapes6Circle5scaleEd");
  ASSERT_TRUE(si && sd);
  EXPECT_EQ(si->demangled, "bpfpads_test::shapes::Circle::scale(int)");
  EXPECT_EQ(si->components, (V{"bpfpads_test", "shapes", "Circle", "scale"}));
  EXPECT_EQ(sd->components, si->components);
  EXPECT_EQ(si->signature, "(int)");
  EXPECT_EQ(sd->signature, "(double)");
  EXPECT_NE(si->address, sd->address);

  const ElfSymbol* area = find(*idx, "_ZNK12bpfpads_test6shapes6Circle4areaEv");
  ASSERT_TRUE(area);
  EXPECT_EQ(area->signature, "() const");

  const ElfSymbol* tw = find(*idx, "_ZN12bpfpads_test6shapes5twiceIiEET_S2_");
  ASSERT_TRUE(tw);
  EXPECT_EQ(tw->demangled, "int bpfpads_test::shapes::twice<int>(int)");
  EXPECT_EQ(tw->components, (V{"bpfpads_test", "shapes", "twice<int>"}));

  const ElfSymbol* c = find(*idx, "sym_c_entry");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->demangled, "");
  EXPECT_EQ(c->components, (V{"sym_c_entry"}));
  EXPECT_EQ(c->signature, "");
}

TEST(SymbolIndex, AddressesAndFileOffsetsMatchBinutils) {
  for (const char* path : {BPFPADS_SYM_CPP, BPFPADS_SYM_TESTLIB}) {
    auto idx = SymbolIndex::build(path);
    ASSERT_TRUE(idx) << idx.error().describe();
    auto loads = readelf_loads(path);
    ASSERT_FALSE(loads.empty());
    auto expected = readelf_functions(path);
    ASSERT_FALSE(expected.empty());
    size_t checked = 0;
    for (const auto& [name, addr] : expected) {
      const ElfSymbol* s = find(*idx, name);
      ASSERT_TRUE(s) << path << ": " << name;
      EXPECT_EQ(s->address, addr) << name;
      uint64_t want = 0;
      for (const auto& l : loads)
        if (addr >= l.vaddr && addr < l.vaddr + l.filesz) want = addr - l.vaddr + l.offset;
      EXPECT_EQ(s->file_offset, want) << name;
      ++checked;
    }
    // Nothing beyond what nm lists (no undefined imports, no data).
    size_t functions = 0;
    for (const auto& s : idx->symbols()) functions += expected.count(s.name);
    EXPECT_EQ(functions, idx->symbols().size()) << path;
    EXPECT_GT(checked, 4u);
  }
}

// .dynsym alone: exactly the exported functions readelf -D lists, at the same
// addresses as in the full index, cached apart from it.
TEST(SymbolIndex, ExportedOnlyIndexesDynsym) {
  auto exported = SymbolIndex::open(BPFPADS_SYM_TESTLIB, /*exported_only=*/true);
  auto full = SymbolIndex::open(BPFPADS_SYM_TESTLIB);
  ASSERT_TRUE(exported && full);
  auto dynamic = readelf_functions(BPFPADS_SYM_TESTLIB, /*dynamic_only=*/true);
  ASSERT_FALSE(dynamic.empty());
  std::map<std::string, uint64_t> got;
  for (const auto& s : exported->symbols()) got[s.name] = s.address;
  EXPECT_EQ(got, dynamic);
  EXPECT_LT(exported->symbols().size(), full->symbols().size());  // hidden ones are in .symtab only
  EXPECT_FALSE(exported->has_symtab());
  for (const auto& [name, addr] : got) {
    const ElfSymbol* s = find(*full, name);
    ASSERT_TRUE(s) << name;
    EXPECT_EQ(s->address, addr) << name;
  }
}

TEST(SymbolIndex, SkipsEndbr64OnlyWhenPresent) {
  auto cpp = SymbolIndex::build(BPFPADS_SYM_CPP);
  ASSERT_TRUE(cpp);
  const ElfSymbol* c = find(*cpp, "sym_c_entry");
  ASSERT_TRUE(c);
  EXPECT_EQ(file_bytes(BPFPADS_SYM_CPP, c->file_offset, 4), (std::vector<uint8_t>{0xf3, 0x0f, 0x1e, 0xfa}));
  EXPECT_EQ(c->probe_offset, c->file_offset + 4);

  auto lib = SymbolIndex::build(BPFPADS_SYM_TESTLIB);
  ASSERT_TRUE(lib);
  const ElfSymbol* add = find(*lib, "bpfpads_testlib_add");
  ASSERT_TRUE(add);
  EXPECT_NE(file_bytes(BPFPADS_SYM_TESTLIB, add->file_offset, 1)[0], 0xf3);
  EXPECT_EQ(add->probe_offset, add->file_offset);
}

TEST(SymbolIndex, AliasesIfuncAndExports) {
  auto lib = SymbolIndex::build(BPFPADS_SYM_TESTLIB);
  ASSERT_TRUE(lib);
  const ElfSymbol* add = find(*lib, "bpfpads_testlib_add");
  const ElfSymbol* sum = find(*lib, "bpfpads_testlib_sum");
  ASSERT_TRUE(add && sum);
  EXPECT_EQ(add->address, sum->address);
  EXPECT_TRUE(add->exported);
  auto group = lib->at_address(add->address);
  EXPECT_EQ(group.size(), 2u);

  const ElfSymbol* pick = find(*lib, "bpfpads_testlib_pick");
  ASSERT_TRUE(pick);
  EXPECT_TRUE(pick->ifunc);
  // Each name appears once although it is in both .dynsym and .symtab.
  size_t adds = 0;
  for (const auto& s : lib->symbols()) adds += s.name == "bpfpads_testlib_add";
  EXPECT_EQ(adds, 1u);
  EXPECT_TRUE(lib->has_symtab());
}

TEST(SymbolIndex, StrippedFileUsesDynsym) {
  std::string stripped = ::testing::TempDir() + "/libbpfpads_testlib_stripped.so";
  ASSERT_EQ(std::system(("strip -o " + stripped + " " + BPFPADS_SYM_TESTLIB).c_str()), 0);
  auto idx = SymbolIndex::open(stripped);
  ASSERT_TRUE(idx) << idx.error().describe();
  EXPECT_FALSE(idx->has_symtab());
  EXPECT_TRUE(find(*idx, "bpfpads_testlib_mul"));
  EXPECT_EQ(idx->symbols().size(), readelf_functions(stripped, /*dynamic_only=*/true).size());
  std::remove(stripped.c_str());
}

TEST(SymbolIndex, CacheIndexesEachFileOnce) {
  clear_symbol_cache();
  auto a = SymbolIndex::open(BPFPADS_SYM_TESTLIB);
  ASSERT_TRUE(a);
  // The .so symlink and the real file share one table, each keeps its path.
  std::string link = std::string(BPFPADS_SYM_TESTLIB_DIR) + "/libbpfpads_testlib.so";
  auto b = SymbolIndex::open(link);
  ASSERT_TRUE(b);
  EXPECT_EQ(symbol_cache_size(), 1u);
  EXPECT_EQ(a->symbols().data(), b->symbols().data());
  EXPECT_EQ(b->path(), link);
  auto c = SymbolIndex::open(BPFPADS_SYM_CPP);
  ASSERT_TRUE(c);
  EXPECT_EQ(symbol_cache_size(), 2u);
  EXPECT_FALSE(c->build_id().empty());
}

}  // namespace
}  // namespace bpfpads
