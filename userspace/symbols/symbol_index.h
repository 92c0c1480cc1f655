// The function symbols of one ELF file, read once per distinct file (a
// process-wide cache keyed by build-id), ready for path matching.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "symbols/elf_file.h"

namespace bpfpads {

struct ElfSymbol {
  std::string name;       // as in the symbol table (mangled for C++)
  std::string demangled;  // empty when `name` is not mangled
  std::vector<std::string> components;  // see SplitName
  std::string signature;                // "(int) const"; empty for C
  uint64_t address = 0;                 // st_value (virtual address)
  uint64_t file_offset = 0;             // from the PT_LOAD segment holding it
  uint64_t probe_offset = 0;            // file_offset, +4 past a leading endbr64
  uint64_t size = 0;
  uint8_t binding = 0;                  // STB_GLOBAL, STB_WEAK, STB_LOCAL
  bool ifunc = false;      // STT_GNU_IFUNC: the address is the resolver's
  bool exported = false;   // present in .dynsym
  bool secondary = false;  // clone, .cold part or thunk (see SplitName)

  const std::string& pretty() const { return demangled.empty() ? name : demangled; }
};

// Immutable after construction, shared between all users of one file.
struct SymbolTable {
  std::string build_id;  // hex, may be empty
  bool has_symtab = false;  // false for stripped files: .dynsym only
  // Sorted by address; at one address the preferred name (exported, global)
  // comes first. Symbols present in both tables appear once.
  std::vector<ElfSymbol> symbols;

  static SymbolTable build(const ElfFile& file, bool exported_only = false);
};

// A file's path plus its (cached, shared) table: two paths to one library
// (a container's /proc/PID/root/... and the host path) share the table but
// keep their own path for attaching.
class SymbolIndex {
 public:
  // Through the cache: indexes a library the first time only. exported_only reads
  // .dynsym alone: a library with a large .symtab (libxgboost: 256k C++ symbols,
  // hundreds of MB once demangled) is indexed in milliseconds when every target
  // is a function it exports.
  static Result<SymbolIndex> open(const std::string& path, bool exported_only = false);
  // Bypasses the cache (benchmarks, tests).
  static Result<SymbolIndex> build(const std::string& path);

  const std::string& path() const { return path_; }
  const std::string& build_id() const { return table_->build_id; }
  bool has_symtab() const { return table_->has_symtab; }
  std::span<const ElfSymbol> symbols() const { return table_->symbols; }
  // All symbols at this address (aliases), preferred name first.
  std::span<const ElfSymbol> at_address(uint64_t address) const;

 private:
  SymbolIndex(std::string path, std::shared_ptr<const SymbolTable> table)
      : path_(std::move(path)), table_(std::move(table)) {}
  std::string path_;
  std::shared_ptr<const SymbolTable> table_;
};

// Number of distinct files in the cache; clear_symbol_cache() empties it (tests).
size_t symbol_cache_size();
void clear_symbol_cache();

}  // namespace bpfpads
