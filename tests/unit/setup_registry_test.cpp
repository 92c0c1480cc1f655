// The registry and run_setup_functions's rule: a failing function becomes a
// warning and the others still run. Test functions go through the list
// overload, so the global registry holds only the real ones.
#include <gtest/gtest.h>

#include <stdexcept>

#include "setup_test_util.h"

namespace bpfpads {
namespace {

using setup_test::Pairs;
using setup_test::tag_pairs;

class TagSetup final : public SetupFunction {
 public:
  TagSetup(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  std::string_view name() const override { return name_; }
  Result<> collect(const SetupContext&, SetupOutput& out) override {
    out.tags.push_back({"test." + name_, value_});
    return {};
  }

 private:
  std::string name_, value_;
};

class FailingSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "fails"; }
  Result<> collect(const SetupContext&, SetupOutput& out) override {
    out.tags.push_back({"test.fails.partial", "kept"});
    return make_errno_error("cannot open", ENOENT, "/proc/nothing");
  }
};

class ThrowingSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "throws"; }
  Result<> collect(const SetupContext&, SetupOutput& out) override {
    out.tags.push_back({"test.throws.partial", "dropped"});
    out.artifacts.push_back({"x", "dropped"});
    throw std::runtime_error("boom");
  }
};

class ThrowingIntSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "throws-int"; }
  Result<> collect(const SetupContext&, SetupOutput&) override { throw 42; }
};

class ArtifactSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "artifact"; }
  Result<> collect(const SetupContext&, SetupOutput& out) override {
    out.params.push_back({"p", "1"});
    out.artifacts.push_back({"bpfpads/a.txt", "bytes"});
    return {};
  }
};

TEST(SetupRegistry, HoldsTheEightFunctionsInNameOrder) {
  EXPECT_EQ(SetupRegistry::instance().names(),
            (std::vector<std::string>{"CpuSetup", "DiskSetup", "GitSetup", "MacSetup",
                                      "ProcessSetup", "RamSetup", "SocketSetup", "SystemSetup"}));
  std::vector<std::string> names;
  for (const auto& function : SetupRegistry::instance().create_all())
    names.emplace_back(function->name());
  EXPECT_EQ(names, (std::vector<std::string>{"cpu", "disk", "git", "mac", "process", "ram",
                                             "socket", "system"}));
}

TEST(SetupRegistry, FailuresBecomeWarningsAndTheOthersStillRun) {
  std::vector<std::unique_ptr<SetupFunction>> functions;
  functions.push_back(std::make_unique<TagSetup>("first", "1"));
  functions.push_back(std::make_unique<FailingSetup>());
  functions.push_back(std::make_unique<ThrowingSetup>());
  functions.push_back(std::make_unique<ThrowingIntSetup>());
  functions.push_back(nullptr);
  functions.push_back(std::make_unique<ArtifactSetup>());
  functions.push_back(std::make_unique<TagSetup>("last", "2"));

  std::vector<std::string> warnings;
  SetupOutput out = run_setup_functions(SetupContext{}, functions, warnings);

  EXPECT_EQ(tag_pairs(out.tags), (Pairs{
                                     {"test.first", "1"},
                                     {"test.fails.partial", "kept"},
                                     {"test.last", "2"},
                                 }));
  ASSERT_EQ(out.params.size(), 1u);
  EXPECT_EQ(out.params[0].key, "p");
  ASSERT_EQ(out.artifacts.size(), 1u);
  EXPECT_EQ(out.artifacts[0].rel_path, "bpfpads/a.txt");
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "fails: /proc/nothing: cannot open: No such file or directory",
                          "throws: boom",
                          "throws-int: unknown exception",
                      }));
}

TEST(SetupRegistry, WarningsAreAppended) {
  std::vector<std::unique_ptr<SetupFunction>> functions;
  functions.push_back(std::make_unique<FailingSetup>());
  std::vector<std::string> warnings = {"earlier"};
  run_setup_functions(SetupContext{}, functions, warnings);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "earlier");
}

TEST(SetupRegistry, FixtureMachineRunsInOrder) {
  // The registry's own functions against a machine whose /proc lacks almost
  // everything: the ones that need it warn, the rest still report.
  auto ctx = setup_test::fixture_context("arm");
  ctx.cwd = "/tmp";
  std::vector<std::string> warnings;
  SetupOutput out = run_setup_functions(ctx, warnings);
  // arm/proc has no mountinfo: disk warns after its statvfs tags.
  ASSERT_EQ(warnings.size(), 1u) << ::testing::PrintToString(warnings);
  EXPECT_TRUE(warnings[0].starts_with("disk: ")) << warnings[0];
  EXPECT_NE(warnings[0].find("mountinfo"), std::string::npos) << warnings[0];
  ASSERT_FALSE(out.tags.empty());
  EXPECT_EQ(out.tags.front().key, "bpfpads.cpu.logical_cores");
  EXPECT_NE(setup_test::find_tag(out.tags, "bpfpads.disk.total_mb"), nullptr);
  EXPECT_EQ(out.tags.back().key, "bpfpads.system.machine");
}

}  // namespace
}  // namespace bpfpads
