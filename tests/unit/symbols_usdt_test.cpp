#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "symbols/usdt_notes.h"

namespace bpfpads {
namespace {

using K = UsdtArg::Kind;

UsdtArg arg(const char* spec) {
  auto a = parse_usdt_arg(spec);
  EXPECT_TRUE(a) << spec << ": " << (a ? "" : a.error().describe());
  return a ? *a : UsdtArg{};
}

TEST(UsdtArgs, Registers) {
  auto a = arg("-4@%edi");
  EXPECT_EQ(a.kind, K::Register);
  EXPECT_EQ(a.size, 4);
  EXPECT_TRUE(a.is_signed);
  EXPECT_EQ(a.reg.name, "edi");
  EXPECT_EQ(a.reg.base, "rdi");
  EXPECT_EQ(a.reg.width, 4);

  auto b = arg("8@%rsi");
  EXPECT_FALSE(b.is_signed);
  EXPECT_EQ(b.size, 8);
  EXPECT_EQ(b.reg.base, "rsi");

  EXPECT_EQ(arg("1@%al").reg.base, "rax");
  EXPECT_EQ(arg("1@%al").reg.width, 1);
  EXPECT_TRUE(arg("1@%ah").reg.high_byte);
  EXPECT_EQ(arg("-1@%sil").reg.base, "rsi");
  EXPECT_EQ(arg("2@%bp").reg.base, "rbp");
  EXPECT_EQ(arg("4@%r8d").reg.base, "r8");
  EXPECT_EQ(arg("4@%r8d").reg.width, 4);
  EXPECT_EQ(arg("2@%r15w").reg.base, "r15");
  EXPECT_EQ(arg("1@%r10b").reg.width, 1);
  EXPECT_EQ(arg("1@%r11l").reg.base, "r11");
  EXPECT_EQ(arg("8@%r12").reg.width, 8);
  auto f = arg("8f@%xmm1");
  EXPECT_TRUE(f.is_float);
  EXPECT_EQ(f.reg.base, "xmm1");
  EXPECT_EQ(f.size, 8);
}

TEST(UsdtArgs, Constants) {
  auto c = arg("4@$5");
  EXPECT_EQ(c.kind, K::Constant);
  EXPECT_EQ(c.constant, 5);
  EXPECT_EQ(arg("-4@$-1").constant, -1);
  EXPECT_EQ(arg("8@$0x10").constant, 16);
  EXPECT_EQ(arg("-4@$42").size, 4);
}

TEST(UsdtArgs, MemoryOperands) {
  auto m = arg("8@-8(%rbp)");
  EXPECT_EQ(m.kind, K::Memory);
  EXPECT_EQ(m.reg.base, "rbp");
  EXPECT_EQ(m.displacement, -8);
  EXPECT_FALSE(m.has_index);

  auto z = arg("-4@(%rax)");
  EXPECT_EQ(z.displacement, 0);
  EXPECT_EQ(z.reg.base, "rax");

  auto h = arg("8@0x18(%rsp)");
  EXPECT_EQ(h.displacement, 0x18);

  auto s = arg("-8@counter(%rip)");
  EXPECT_EQ(s.symbol, "counter");
  EXPECT_EQ(s.reg.base, "rip");
  EXPECT_EQ(s.displacement, 0);
  auto s2 = arg("4@counter+8(%rip)");
  EXPECT_EQ(s2.symbol, "counter");
  EXPECT_EQ(s2.displacement, 8);
  auto s3 = arg("4@8+counter(%rip)");
  EXPECT_EQ(s3.symbol, "counter");
  EXPECT_EQ(s3.displacement, 8);
  EXPECT_EQ(arg("4@tbl.1234-4(%rip)").displacement, -4);

  auto idx = arg("4@16(%rdi,%rcx,4)");
  EXPECT_TRUE(idx.has_index);
  EXPECT_EQ(idx.reg.base, "rdi");
  EXPECT_EQ(idx.index.base, "rcx");
  EXPECT_EQ(idx.scale, 4);
  EXPECT_EQ(idx.displacement, 16);
  auto nobase = arg("8@(,%rax,8)");
  EXPECT_TRUE(nobase.reg.base.empty());
  EXPECT_EQ(nobase.index.base, "rax");
  EXPECT_EQ(arg("8@(%rax,%rbx)").scale, 1);
}

TEST(UsdtArgs, OldNotesWithoutSize) {
  auto a = arg("%edi");
  EXPECT_EQ(a.size, 4);
  EXPECT_EQ(a.reg.base, "rdi");
}

TEST(UsdtArgs, Rejects) {
  for (const char* bad : {"3@%eax", "4@%foo", "4@", "4@$x", "4@-8(%rbp", "4@(%rax,%rbx,3)",
                          "x@%eax", "4@(%rax,%rbx,2,1)", "4@%r16"})
    EXPECT_FALSE(parse_usdt_arg(bad)) << bad;
}

TEST(UsdtArgs, ListSplitsOnSpaces) {
  auto list = parse_usdt_args("-4@%edi 8@%rsi 8@-8(%rbp)");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].kind, K::Memory);
  EXPECT_TRUE(parse_usdt_args("")->empty());
  EXPECT_FALSE(parse_usdt_args("-4@%edi bogus"));
}

TEST(UsdtNotes, PrelinkAdjustment) {
  EXPECT_EQ(adjust_for_prelink(0x1234, 0x2000, 0x2000), 0x1234u);
  EXPECT_EQ(adjust_for_prelink(0x1234, 0x2000, 0x3000), 0x2234u);
  EXPECT_EQ(adjust_for_prelink(0x41234, 0x42000, 0x2000), 0x1234u);  // moved down
}

struct ReadelfProbe {
  uint64_t pc = 0, base = 0, sem = 0;
  std::string args;
};

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

std::map<std::string, ReadelfProbe> readelf_probes(const std::string& path) {
  std::map<std::string, ReadelfProbe> out;
  std::istringstream in(run("readelf -n " + path));
  std::string line, provider, name;
  while (std::getline(in, line)) {
    auto value = [&](const char* key) {
      size_t at = line.find(key);
      return at == std::string::npos ? std::string() : line.substr(at + strlen(key));
    };
    if (line.find("Provider: ") != std::string::npos) provider = value("Provider: ");
    else if (line.find("Name: ") != std::string::npos) name = value("Name: ");
    else if (line.find("Location: ") != std::string::npos) {
      ReadelfProbe p;
      std::sscanf(line.c_str(), " Location: %lx, Base: %lx, Semaphore: %lx", &p.pc, &p.base, &p.sem);
      out[provider + ":" + name] = p;
    } else if (line.find("Arguments: ") != std::string::npos) {
      out[provider + ":" + name].args = value("Arguments: ");
    }
  }
  return out;
}

TEST(UsdtNotes, MatchReadelf) {
  auto probes = read_usdt_probes(std::string(BPFPADS_SYM_USDT));
  ASSERT_TRUE(probes) << probes.error().describe();
  auto expected = readelf_probes(BPFPADS_SYM_USDT);
  ASSERT_EQ(probes->size(), 4u);
  ASSERT_EQ(expected.size(), 4u);

  auto file = ElfFile::open(BPFPADS_SYM_USDT);
  ASSERT_TRUE(file);
  auto probes_sh = file->section_header(file->section(".probes"));
  ASSERT_TRUE(probes_sh);

  std::map<std::string, const UsdtProbe*> by_name;
  for (const auto& p : *probes) {
    by_name[p.provider + ":" + p.name] = &p;
    auto it = expected.find(p.provider + ":" + p.name);
    ASSERT_NE(it, expected.end()) << p.name;
    EXPECT_EQ(p.pc, it->second.pc);
    EXPECT_EQ(p.note_base, it->second.base);
    EXPECT_EQ(p.semaphore, it->second.sem);
    EXPECT_EQ(p.args_text, it->second.args);
    EXPECT_TRUE(p.args_error.empty()) << p.args_error;
    EXPECT_EQ(p.file_offset, *file->vaddr_to_offset(p.pc));
    if (p.semaphore)
      EXPECT_EQ(p.semaphore_offset, p.semaphore - probes_sh->sh_addr + probes_sh->sh_offset);
    else
      EXPECT_EQ(p.semaphore_offset, 0u);
  }
  ASSERT_TRUE(by_name.count("bpfpads_test:with_sem") && by_name.count("bpfpads_test:no_sem") &&
              by_name.count("bpfpads_test:mixed") && by_name.count("bpfpads_test:with_sem3"));
  EXPECT_TRUE(by_name["bpfpads_test:with_sem"]->has_semaphore());
  EXPECT_TRUE(by_name["bpfpads_test:with_sem3"]->has_semaphore());
  EXPECT_NE(by_name["bpfpads_test:with_sem"]->semaphore, by_name["bpfpads_test:with_sem3"]->semaphore);
  EXPECT_FALSE(by_name["bpfpads_test:no_sem"]->has_semaphore());
  EXPECT_EQ(by_name["bpfpads_test:with_sem"]->args.size(), 2u);
  const auto& mixed = by_name["bpfpads_test:mixed"]->args;
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[0].kind, K::Constant);
  EXPECT_EQ(mixed[0].constant, 42);
  // The probe site is a nop in the file.
  EXPECT_EQ(file->bytes(by_name["bpfpads_test:no_sem"]->file_offset, 1)[0], 0x90);
}

TEST(UsdtNotes, FileWithoutNotesHasNoProbes) {
  auto probes = read_usdt_probes(std::string(BPFPADS_SYM_TESTLIB));
  ASSERT_TRUE(probes);
  EXPECT_TRUE(probes->empty());
}

}  // namespace
}  // namespace bpfpads
