// One opened ELF file: the descriptor and libelf handle live exactly as long as
// the object. Everything else in symbols/ reads files through this.
#pragma once

#include <gelf.h>
#include <libelf.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "kernel/bpf_handles.h"

namespace bpfpads {

// Identifies a file on disk when it has no build-id.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t mtime_ns = 0;
  uint64_t size = 0;
};

struct ElfNote {
  uint32_t type = 0;
  std::string_view owner;  // "GNU", "stapsdt", ...
  std::span<const uint8_t> desc;
};

class ElfFile {
 public:
  static Result<ElfFile> open(const std::string& path);

  ElfFile(ElfFile&&) noexcept = default;
  ElfFile& operator=(ElfFile&&) noexcept = default;

  const std::string& path() const { return path_; }
  Elf* elf() const { return elf_.get(); }
  const GElf_Ehdr& header() const { return ehdr_; }
  const FileIdentity& identity() const { return identity_; }
  bool is_64bit() const { return ehdr_.e_ident[EI_CLASS] == ELFCLASS64; }
  std::span<const GElf_Phdr> load_segments() const { return loads_; }

  // The PT_LOAD segment's file offset for a virtual address: what the kernel's
  // uprobe API wants (vaddr - p_vaddr + p_offset). nullopt outside file-backed bytes.
  std::optional<uint64_t> vaddr_to_offset(uint64_t vaddr) const;

  // Bytes of the file image; empty when the range is outside the file.
  std::span<const uint8_t> bytes(uint64_t offset, size_t len) const;

  // Hex NT_GNU_BUILD_ID, empty when the file has none.
  std::string build_id() const;

  // First section with this name, or nullptr.
  Elf_Scn* section(std::string_view name) const;
  std::optional<GElf_Shdr> section_header(Elf_Scn* scn) const;
  std::string_view section_name(const GElf_Shdr& shdr) const;

  // Calls fn for every note in SHT_NOTE sections (or PT_NOTE segments when the
  // section headers are gone). Stops early when fn returns false.
  void for_each_note(const std::function<bool(const ElfNote&)>& fn) const;

 private:
  struct ElfDeleter {
    void operator()(Elf* e) const { elf_end(e); }
  };
  ElfFile() = default;

  std::string path_;
  Fd fd_;  // declared before elf_: libelf's handle must go first
  std::unique_ptr<Elf, ElfDeleter> elf_;
  GElf_Ehdr ehdr_{};
  FileIdentity identity_;
  std::vector<GElf_Phdr> loads_;
  const uint8_t* image_ = nullptr;  // libelf's mapping of the whole file
  size_t image_size_ = 0;
  size_t shstrndx_ = 0;
};

// The dynamic section's names: what the loader would use to find this file and
// its dependencies.
struct DynamicInfo {
  std::string soname;
  std::vector<std::string> needed;
  std::vector<std::string> runpath;  // DT_RUNPATH split on ':'
  std::vector<std::string> rpath;    // DT_RPATH split on ':'
};

DynamicInfo read_dynamic_info(const ElfFile& file);

}  // namespace bpfpads
