#include <gtest/gtest.h>

#include <algorithm>

#include "symbols/symbol_matcher.h"

namespace bpfpads {
namespace {

PathSegment lit(std::string t) { return {false, std::move(t)}; }
PathSegment re(std::string t) { return {true, std::move(t)}; }

std::vector<std::string> names(const std::vector<ProbeTarget>& ts) {
  std::vector<std::string> out;
  for (const auto& t : ts) out.push_back(t.demangled);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SymbolRegex, PythonReMatchSemantics) {
  auto r = PythonRegex::compile("sca");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->match_at_start("scale"));    // anchored at the start, not the end
  EXPECT_FALSE(r->match_at_start("rescale"));  // not a search
  auto end = PythonRegex::compile("scale$");
  ASSERT_TRUE(end);
  EXPECT_TRUE(end->match_at_start("scale"));
  EXPECT_FALSE(end->match_at_start("scaled"));
  auto alt = PythonRegex::compile("a|scale");  // the anchor covers every branch
  ASSERT_TRUE(alt);
  EXPECT_FALSE(alt->match_at_start("xscale"));
  EXPECT_TRUE(alt->match_at_start("scale"));
  auto named = PythonRegex::compile("(?P<verb>get|set)_(?P=verb)?x");
  ASSERT_TRUE(named) << named.error().describe();
  EXPECT_TRUE(named->match_at_start("set_x"));
  EXPECT_TRUE(named->match_at_start("get_getx"));
  auto z = PythonRegex::compile(R"(ab\Z)");
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->match_at_start("ab"));
  EXPECT_FALSE(z->match_at_start("ab\n"));  // Python's \Z is the very end
  EXPECT_TRUE(PythonRegex::compile(R"(\\Z)")->match_at_start("\\Z"));  // an escaped backslash stays
}

TEST(SymbolRegex, InvalidRegexIsAnErrorWithPattern) {
  auto bad = PythonRegex::compile("(unclosed");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("(unclosed"), std::string::npos);
  EXPECT_NE(bad.error().describe().find("offset"), std::string::npos);
}

class SymbolMatcher : public ::testing::Test {
 protected:
  void SetUp() override {
    auto i = SymbolIndex::open(BPFPADS_SYM_CPP);
    ASSERT_TRUE(i) << i.error().describe();
    idx_.emplace(std::move(*i));
  }
  MatchResult match(std::vector<PathSegment> path) {
    auto r = match_symbols(*idx_, path);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : MatchResult{};
  }
  std::optional<SymbolIndex> idx_;
};

TEST_F(SymbolMatcher, LiteralPathMatchesBothOverloads) {
  auto r = match({lit("bpfpads_test"), lit("shapes"), lit("Circle"), lit("scale")});
  EXPECT_EQ(names(r.targets), (std::vector<std::string>{"bpfpads_test::shapes::Circle::scale(double)",
                                                        "bpfpads_test::shapes::Circle::scale(int)"}));
  EXPECT_TRUE(r.near_matches.empty());
  for (const auto& t : r.targets) {
    EXPECT_EQ(t.file_path, BPFPADS_SYM_CPP);
    EXPECT_EQ(t.probe_offset, t.file_offset + 4);  // built with -fcf-protection
    EXPECT_GT(t.size, 0u);
  }
}

TEST_F(SymbolMatcher, PathLengthMustBeEqual) {
  EXPECT_TRUE(match({lit("shapes"), lit("Circle"), lit("scale")}).targets.empty());
  EXPECT_TRUE(match({lit("bpfpads_test"), lit("shapes"), lit("Circle")}).targets.empty());
}

TEST_F(SymbolMatcher, RegexSegments) {
  auto all = match({lit("bpfpads_test"), lit("shapes"), re("Circle"), re(".*")});
  EXPECT_EQ(all.targets.size(), 3u);  // area, scale(int), scale(double)
  auto twice = match({lit("bpfpads_test"), lit("shapes"), re("twice")});
  EXPECT_EQ(names(twice.targets), (std::vector<std::string>{"double bpfpads_test::shapes::twice<double>(double)",
                                                            "int bpfpads_test::shapes::twice<int>(int)"}));
  EXPECT_EQ(match({lit("bpfpads_test"), lit("shapes"), re(R"(twice<int>$)")}).targets.size(), 1u);
  EXPECT_TRUE(match({lit("bpfpads_test"), lit("shapes"), re("wice")}).targets.empty());
  EXPECT_EQ(match({re("bpfpads_"), re("sh"), re("comp")}).targets.size(), 2u);
  EXPECT_TRUE(match({re("bpfpads_"), re("sh"), re("comp$")}).targets.empty());
  EXPECT_EQ(match({re("bpfpads_"), re("sh"), re("compute$")}).targets.size(), 2u);
}

TEST_F(SymbolMatcher, PlainCSymbol) {
  auto r = match({lit("sym_c_entry")});
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].symbol, "sym_c_entry");
  EXPECT_EQ(r.targets[0].demangled, "sym_c_entry");
  EXPECT_EQ(match({re("sym_c_")}).targets.size(), 1u);
}

TEST_F(SymbolMatcher, NearMatchesForTyposAndMissingNamespaces) {
  auto r = match({lit("bpfpads_test"), lit("shapes"), lit("Circle"), lit("scal")});
  EXPECT_TRUE(r.targets.empty());
  ASSERT_FALSE(r.near_matches.empty());
  EXPECT_EQ(r.near_matches[0], "bpfpads_test::shapes::Circle::scale");

  auto short_path = match({lit("Circle"), lit("area")});  // same last component
  ASSERT_FALSE(short_path.near_matches.empty());
  EXPECT_EQ(short_path.near_matches[0], "bpfpads_test::shapes::Circle::area");

  auto c = match({lit("sym_centry")});
  ASSERT_FALSE(c.near_matches.empty());
  EXPECT_EQ(c.near_matches[0], "sym_c_entry");
  EXPECT_LE(c.near_matches.size(), 5u);

  EXPECT_TRUE(match({lit("zzzzzzzzzzzzzzzzzzzzzzzz")}).near_matches.empty());  // nothing close
}

TEST_F(SymbolMatcher, InvalidRegexFailsWithFileContext) {
  auto r = match_symbols(*idx_, std::vector<PathSegment>{re("[")});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find(BPFPADS_SYM_CPP), std::string::npos);
}

TEST(SymbolMatcherLib, AliasesCollapseToOneTarget) {
  auto idx = SymbolIndex::open(BPFPADS_SYM_TESTLIB);
  ASSERT_TRUE(idx);
  auto r = match_symbols(*idx, std::vector<PathSegment>{re("bpfpads_testlib_(add|sum)$")});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->targets.size(), 1u);
  const auto& t = r->targets[0];
  EXPECT_EQ(t.probe_offset, t.file_offset);  // no endbr64 in this library
  std::vector<std::string> all{t.symbol};
  all.insert(all.end(), t.aliases.begin(), t.aliases.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"bpfpads_testlib_add", "bpfpads_testlib_sum"}));

  auto pick = match_symbols(*idx, std::vector<PathSegment>{lit("bpfpads_testlib_pick")});
  ASSERT_TRUE(pick);
  ASSERT_EQ(pick->targets.size(), 1u);
  EXPECT_TRUE(pick->targets[0].ifunc);
}

TEST(SymbolEditDistance, Basics) {
  EXPECT_EQ(edit_distance("kitten", "sitting", 10), 3u);
  EXPECT_EQ(edit_distance("Scale", "scale", 10), 0u);  // case-insensitive
  EXPECT_EQ(edit_distance("", "abc", 10), 3u);
  EXPECT_EQ(edit_distance("abcdef", "uvwxyz", 2), 3u);  // capped at limit + 1
}

}  // namespace
}  // namespace bpfpads
