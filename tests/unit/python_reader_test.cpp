// The Python reader against real interpreters: each one runs a script that prints what
// it knows about itself (id() of code objects is their address), and the reader must
// find the same from outside, without stopping or changing it.

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "python/python_process.h"
#include "python/python_resolver.h"
#include "python_interpreters.h"

namespace bpfpads {
namespace {

constexpr const char* kScript = R"PY(
import sys, json.decoder
class Base:
    def fit(self, X, y=None): return X
    @staticmethod
    def helper(): pass
    @classmethod
    def build(cls): return cls()
class Child(Base):
    pass
def größe(): pass
def decorate(tag):
    def decorator(f):
        def wrapper(*args): return f(*args)
        return wrapper
    return decorator
@decorate(1)
def first(): pass
@decorate(2)
def second(): pass
def several(x):
    if x > 1:
        return x + 1
    try:
        return len(str(x))
    except ValueError:
        pass
for i in range(1000):  # specialised from 3.11 on: the caches hold run-time data now
    several(i % 3)
import dis
def returns(f):
    return ",".join(str(i.offset) for i in dis.get_instructions(f) if i.opname.startswith("RETURN"))
slots = lambda c: len(c.co_varnames) + len(c.co_cellvars) + len(c.co_freevars)
print(sys.version_info.major, sys.version_info.minor, sys.version_info.micro,
      hex(id(json.decoder.JSONDecoder.decode.__code__)), hex(id(Base.fit.__code__)),
      hex(id(Base.helper.__code__)), hex(id(Base.build.__code__)), hex(id(größe.__code__)),
      hex(id(json.decoder.JSONDecoder.decode)), hex(id(first.__code__)), hex(id(second.__code__)),
      returns(several), slots(several.__code__), returns(first), slots(first.__code__), flush=True)
sys.stdin.read()
)PY";

uint64_t hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

TEST(PythonReader, FindsFunctionsAndTheirCodeObjectsInEveryInterpreter) {
  auto interpreters = testing::available_interpreters();
  ASSERT_FALSE(interpreters.empty()) << "no CPython 3.9-3.13 on this machine (pyenv or /usr/bin/python3.11)";
  // CI's machines have them all: pyenv's 3.9 to 3.13 and Debian's static 3.11.
  if (std::getenv("CI")) EXPECT_EQ(interpreters.size(), 6u);
  for (const auto& interp : interpreters) {
    SCOPED_TRACE(interp.executable);
    testing::RunningScript job(interp.executable, kScript);
    ASSERT_GT(job.pid(), 0);
    std::istringstream line(job.first_line());
    int major = 0, minor = 0, micro = 0;
    std::string decode_code, fit_code, helper_code, build_code, unicode_code, decode_function, first_code, second_code;
    line >> major >> minor >> micro >> decode_code >> fit_code >> helper_code >> build_code >> unicode_code >>
        decode_function >> first_code >> second_code;
    std::string several_returns, first_returns;
    int several_slots = -1, first_slots = -1;
    line >> several_returns >> several_slots >> first_returns >> first_slots;
    ASSERT_GE(first_slots, 0) << "the script printed: " << job.first_line();

    auto py = find_python(job.pid());
    ASSERT_TRUE(py) << py.error().describe();
    EXPECT_EQ(py->major, major);
    EXPECT_EQ(py->minor, minor);
    if (minor >= 11) EXPECT_EQ(py->micro, micro);  // older builds say only X.Y in their file name

    PythonResolver resolver(*py);
    auto decode = resolver.function("json.decoder.JSONDecoder.decode");
    ASSERT_TRUE(decode) << decode.error().describe();
    EXPECT_EQ(decode->code, hex(decode_code));
    EXPECT_EQ(decode->function, hex(decode_function));
    EXPECT_EQ(decode->qualname, minor >= 11 ? "JSONDecoder.decode" : "decode");
    EXPECT_NE(decode->filename.find("json/decoder.py"), std::string::npos) << decode->filename;
    EXPECT_GT(decode->first_line, 300);
    EXPECT_NE(decode->first_instruction, 0u);

    // A method found along the MRO, static and class methods, a non-ASCII name.
    auto fit = resolver.function("__main__.Child.fit");
    ASSERT_TRUE(fit) << fit.error().describe();
    EXPECT_EQ(fit->code, hex(fit_code));
    auto helper = resolver.function("__main__.Base.helper");
    ASSERT_TRUE(helper) << helper.error().describe();
    EXPECT_EQ(helper->code, hex(helper_code));
    auto build = resolver.function("__main__.Child.build");
    ASSERT_TRUE(build) << build.error().describe();
    EXPECT_EQ(build->code, hex(build_code));
    auto unicode = resolver.function("__main__.größe");
    ASSERT_TRUE(unicode) << unicode.error().describe();
    EXPECT_EQ(unicode->code, hex(unicode_code));

    // A nested function by its qualname: the one code object behind every function
    // the decorator made.
    EXPECT_EQ(first_code, second_code);
    auto wrapper = resolver.function("__main__.decorate.<locals>.decorator.<locals>.wrapper");
    ASSERT_TRUE(wrapper) << wrapper.error().describe();
    EXPECT_EQ(wrapper->code, hex(first_code));
    EXPECT_EQ(wrapper->function, 0u);
    EXPECT_NE(wrapper->first_instruction, 0u);
    auto no_inner = resolver.function("__main__.decorate.<locals>.nothing");
    ASSERT_FALSE(no_inner);
    EXPECT_NE(no_inner.error().describe().find("defines no function nothing"), std::string::npos)
        << no_inner.error().describe();

    // Where calls end: the return units dis lists (caches skipped from 3.11 on), and
    // the slot of the returned value.
    auto several = resolver.function("__main__.several");
    ASSERT_TRUE(several) << several.error().describe();
    for (auto [code, want_returns, want_slots] : {std::tuple{several->code, several_returns, several_slots},
                                                  std::tuple{wrapper->code, first_returns, first_slots}}) {
      auto units = resolver.code_units(code);
      ASSERT_TRUE(units) << units.error().describe();
      std::string offsets;
      for (const auto& r : units->returns)
        offsets += (offsets.empty() ? "" : ",") + std::to_string(r.address - units->entry);
      EXPECT_EQ(offsets, want_returns);
      EXPECT_EQ(units->stack_slot, want_slots);
    }

    // What is not there is said, by name.
    auto missing = resolver.function("json.decoder.JSONDecoder.no_such_method");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().describe().find("has no attribute no_such_method"), std::string::npos);
    auto not_imported = resolver.function("sklearn.base.BaseEstimator.fit");
    ASSERT_FALSE(not_imported);
    EXPECT_NE(not_imported.error().describe().find("module sklearn is not imported"), std::string::npos);
    auto not_function = resolver.function("json.decoder.JSONDecoder");
    ASSERT_FALSE(not_function);
    EXPECT_NE(not_function.error().describe().find("not a Python function"), std::string::npos);

    auto modules = resolver.module_names();
    ASSERT_TRUE(modules) << modules.error().describe();
    EXPECT_NE(std::find(modules->begin(), modules->end(), "json.decoder"), modules->end());
  }
}

TEST(PythonReader, AProcessThatIsNotPythonIsSaidSo) {
  auto py = find_python(getpid());
  ASSERT_FALSE(py);
  EXPECT_NE(py.error().describe().find("no Python interpreter found"), std::string::npos);
}

TEST(PythonReader, VersionFromFileNames) {
  EXPECT_EQ(python_version_from_name("libpython3.10.so.1.0"), std::make_pair(3, 10));
  EXPECT_EQ(python_version_from_name("python3.9"), std::make_pair(3, 9));
  EXPECT_EQ(python_version_from_name("libpython3.13t.so"), std::make_pair(3, 13));
  EXPECT_EQ(python_version_from_name("python"), std::make_pair(0, 0));
}

TEST(PythonReader, LayoutsExistForTheSupportedVersionsOnly) {
  for (int minor = 9; minor <= 13; ++minor) EXPECT_TRUE(python_layout(3, minor)) << minor;
  EXPECT_FALSE(python_layout(3, 8));
  EXPECT_FALSE(python_layout(3, 14));
  EXPECT_FALSE(python_layout(2, 7));
}

}  // namespace
}  // namespace bpfpads
