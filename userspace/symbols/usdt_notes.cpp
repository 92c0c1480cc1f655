#include "symbols/usdt_notes.h"

#include <cstring>
#include <optional>

namespace bpfpads {
namespace {

constexpr uint32_t kStapsdtNoteType = 3;

uint64_t read_word(std::span<const uint8_t> bytes, size_t at, size_t width, bool little) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    uint64_t b = bytes[at + i];
    v |= little ? b << (8 * i) : b << (8 * (width - 1 - i));
  }
  return v;
}

// The semaphore lives in .probes (a data section); its file offset is what
// the kernel increments through the file mapping. Section first, as the
// kernel docs and libbpf do, then the segment as a fallback.
std::optional<uint64_t> data_offset(const ElfFile& file, uint64_t vaddr) {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(file.elf(), scn)) != nullptr) {
    auto sh = file.section_header(scn);
    if (!sh || !(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_NOBITS) continue;
    if (vaddr >= sh->sh_addr && vaddr < sh->sh_addr + sh->sh_size)
      return vaddr - sh->sh_addr + sh->sh_offset;
  }
  return file.vaddr_to_offset(vaddr);
}

}  // namespace

uint64_t adjust_for_prelink(uint64_t address, uint64_t note_base, uint64_t actual_base) {
  // Unsigned wrap-around gives the right result for moves in either direction.
  return address + (actual_base - note_base);
}

Result<std::vector<UsdtProbe>> read_usdt_probes(const ElfFile& file) {
  std::optional<uint64_t> actual_base;
  if (auto sh = file.section_header(file.section(".stapsdt.base"))) actual_base = sh->sh_addr;

  const size_t word = file.is_64bit() ? 8 : 4;
  const bool little = file.header().e_ident[EI_DATA] == ELFDATA2LSB;
  std::vector<UsdtProbe> probes;
  std::optional<Error> error;
  file.for_each_note([&](const ElfNote& note) {
    if (note.type != kStapsdtNoteType || note.owner != "stapsdt") return true;
    auto fail = [&](const std::string& why) {
      error = Error{why, 0, file.path() + ": .note.stapsdt"};
      return false;
    };
    if (note.desc.size() < 3 * word) return fail("truncated stapsdt note");
    UsdtProbe p;
    p.pc = read_word(note.desc, 0, word, little);
    p.note_base = read_word(note.desc, word, word, little);
    p.semaphore = read_word(note.desc, 2 * word, word, little);

    // provider\0name\0args\0 follow the three addresses.
    const char* text = reinterpret_cast<const char*>(note.desc.data() + 3 * word);
    size_t left = note.desc.size() - 3 * word;
    std::string_view strings[3];
    for (auto& s : strings) {
      size_t len = strnlen(text, left);
      if (len == left) return fail("unterminated string in stapsdt note");
      s = std::string_view(text, len);
      text += len + 1;
      left -= len + 1;
    }
    p.provider = strings[0];
    p.name = strings[1];
    p.args_text = strings[2];

    if (actual_base && p.note_base != 0) {
      p.pc = adjust_for_prelink(p.pc, p.note_base, *actual_base);
      if (p.semaphore) p.semaphore = adjust_for_prelink(p.semaphore, p.note_base, *actual_base);
    }
    auto pc_off = file.vaddr_to_offset(p.pc);
    if (!pc_off) return fail("probe " + p.provider + ":" + p.name + " is outside loaded segments");
    p.file_offset = *pc_off;
    if (p.semaphore) {
      auto sem_off = data_offset(file, p.semaphore);
      if (!sem_off) return fail("semaphore of " + p.provider + ":" + p.name + " is not in the file");
      p.semaphore_offset = *sem_off;
    }
    if (auto args = parse_usdt_args(p.args_text)) p.args = std::move(*args);
    else p.args_error = args.error().describe();
    probes.push_back(std::move(p));
    return true;
  });
  if (error) return std::unexpected(*error);
  return probes;
}

Result<std::vector<UsdtProbe>> read_usdt_probes(const std::string& path) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  return read_usdt_probes(*file);
}

}  // namespace bpfpads
