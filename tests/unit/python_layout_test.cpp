// The shipped layout table against each installed interpreter's own headers: the dump
// tool is compiled against them and must print exactly what the table says.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "python/python_bytecode.h"
#include "python/python_layout.h"
#include "python_interpreters.h"

namespace bpfpads {
namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  pclose(p);
  return out;
}

TEST(PythonLayout, MatchesEachInstalledInterpretersHeaders) {
  int compared = 0;
  for (const auto& interp : testing::available_interpreters()) {
    if (interp.prefix.empty()) continue;  // Debian's python3.11 ships no internal headers
    SCOPED_TRACE(interp.prefix);
    std::string include = interp.prefix + "/include/python" + interp.minor;
    ASSERT_TRUE(std::filesystem::exists(include + "/internal")) << include;
    std::string binary = ::testing::TempDir() + "/dump_offsets_" + interp.minor;
    std::string compile = "cc -DPy_BUILD_CORE -I" + include + " -I" + include + "/internal " +
                          BPFPADS_SOURCE_DIR "/tools/python_offsets/dump_offsets.c -o " + binary + " 2>&1";
    std::string errors = run(compile);
    ASSERT_TRUE(std::filesystem::exists(binary)) << errors;
    std::istringstream dump(run(binary));
    int minor = std::stoi(interp.minor.substr(2));
    auto layout = python_layout(3, minor);
    ASSERT_TRUE(layout);
    std::string line, version;
    std::getline(dump, version);
    EXPECT_EQ(version, "version=" + interp.minor);
    for (const auto& [name, value] : layout->facts()) {
      ASSERT_TRUE(std::getline(dump, line)) << "the dump ended before " << name;
      EXPECT_EQ(line, name + "=" + std::to_string(value));
    }
    // Then the bytecode facts (python/python_bytecode.cpp).
    auto bytecode = bytecode_facts(3, minor);
    ASSERT_TRUE(bytecode);
    for (const auto& expected : {"opcode.return_value=" + std::to_string(bytecode->return_value),
                                 "opcode.return_const=" + std::to_string(bytecode->return_const),
                                 "opcode.load_const=" + std::to_string(bytecode->load_const),
                                 "opcode.caches=" + bytecode->caches_text()}) {
      ASSERT_TRUE(std::getline(dump, line)) << "the dump ended before " << expected;
      EXPECT_EQ(line, expected);
    }
    ++compared;
  }
  EXPECT_GE(compared, 1) << "no pyenv interpreter with headers on this machine";
}

}  // namespace
}  // namespace bpfpads
