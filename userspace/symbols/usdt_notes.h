// USDT probes from an ELF file's .note.stapsdt section (SystemTap SDT v3 notes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "symbols/elf_file.h"
#include "symbols/usdt_args.h"

namespace bpfpads {

struct UsdtProbe {
  std::string provider;
  std::string name;
  uint64_t pc = 0;         // virtual address of the probe's nop, prelink-adjusted
  uint64_t note_base = 0;  // the note's recorded .stapsdt.base address
  uint64_t semaphore = 0;  // virtual address, prelink-adjusted; 0: none
  uint64_t file_offset = 0;       // where to attach the uprobe
  uint64_t semaphore_offset = 0;  // the kernel's ref_ctr_offset; 0: none
  std::string args_text;          // "-4@%edi 8@%rsi"
  std::vector<UsdtArg> args;
  std::string args_error;  // set when args_text did not parse; args is empty then

  bool has_semaphore() const { return semaphore != 0; }
};

// SystemTap's prelink rule: when the file was moved after linking, the note
// still holds the old addresses; the shift is the actual .stapsdt.base address
// minus the note's base.
uint64_t adjust_for_prelink(uint64_t address, uint64_t note_base, uint64_t actual_base);

// All probes in the file, in note order. A file without notes gives an empty
// list; an address outside every loaded segment is an error.
Result<std::vector<UsdtProbe>> read_usdt_probes(const ElfFile& file);
Result<std::vector<UsdtProbe>> read_usdt_probes(const std::string& path);

}  // namespace bpfpads
