#include <gtest/gtest.h>

#include "mapping/version_constraint.h"

namespace bpfpads {
namespace {

bool ok(const char* constraint, const char* version) {
  auto c = VersionConstraint::parse(constraint);
  EXPECT_TRUE(c.has_value()) << constraint << ": " << c.error().message;
  return c && c->satisfied_by(version);
}

std::string parse_error(const char* constraint) {
  auto c = VersionConstraint::parse(constraint);
  EXPECT_FALSE(c.has_value()) << constraint;
  return c ? "" : c.error().message;
}

TEST(MappingVersion, ParsesAndOrders) {
  auto v = [](const char* s) { return Version::parse(s).value(); };
  EXPECT_EQ(v("1.7").compare(v("1.7.0")), 0);
  EXPECT_LT(v("1.6.9").compare(v("1.7")), 0);
  EXPECT_GT(v("1.10").compare(v("1.9")), 0);  // numeric, not lexical
  EXPECT_LT(v("2.0.0rc1").compare(v("2.0.0")), 0);
  EXPECT_LT(v("2.0.0.dev3").compare(v("2.0.0a1")), 0);
  EXPECT_LT(v("2.0.0a1").compare(v("2.0.0b1")), 0);
  EXPECT_LT(v("2.0.0b2").compare(v("2.0.0rc1")), 0);
  EXPECT_LT(v("2.0.0rc1").compare(v("2.0.0rc2")), 0);
  EXPECT_GT(v("1.0.post1").compare(v("1.0")), 0);
  EXPECT_EQ(v("v2.1.0+cu118").compare(v("2.1")), 0);
  EXPECT_EQ(v("1.7.0-rc.1").compare(v("1.7.0rc1")), 0);
  EXPECT_EQ(v("2.0.0-beta").compare(v("2.0.0b0")), 0);
  EXPECT_FALSE(Version::parse("").has_value());
  EXPECT_FALSE(Version::parse("abc").has_value());
  EXPECT_FALSE(Version::parse("1.x").has_value());
  EXPECT_FALSE(Version::parse("1.0foo").has_value());
  EXPECT_FALSE(Version::parse("1.0rc1x").has_value());
}

TEST(MappingVersion, ComparisonOperators) {
  EXPECT_TRUE(ok(">=1.6", "1.6"));
  EXPECT_TRUE(ok(">=1.6", "1.6.0"));
  EXPECT_TRUE(ok(">=1.6", "2.0.3"));
  EXPECT_FALSE(ok(">=1.6", "1.5.9"));
  EXPECT_FALSE(ok(">=1.6", "1.6.0rc1"));  // pre-releases are lower
  EXPECT_TRUE(ok(">= 0.19.1", "0.19.1"));
  EXPECT_TRUE(ok("> 1.0", "1.0.1"));
  EXPECT_FALSE(ok(">1.0", "1.0"));
  EXPECT_TRUE(ok("<2", "1.99"));
  EXPECT_FALSE(ok("<2", "2.0"));
  EXPECT_TRUE(ok("<=2", "2.0.0"));
  EXPECT_TRUE(ok("!=1.8", "1.8.1"));
  EXPECT_FALSE(ok("!=1.8", "1.8.0"));
  EXPECT_TRUE(ok("==1.7", "1.7.0"));
  EXPECT_FALSE(ok("==1.7", "1.7.1"));
}

TEST(MappingVersion, RangesAndWildcards) {
  EXPECT_TRUE(ok("<2.0,>=1.6", "1.7.3"));
  EXPECT_FALSE(ok("<2.0,>=1.6", "2.0"));
  EXPECT_FALSE(ok("<2.0,>=1.6", "1.5"));
  EXPECT_TRUE(ok(" >=1.6 , <2.0 ", "1.9"));
  EXPECT_TRUE(ok("==1.7.*", "1.7"));
  EXPECT_TRUE(ok("==1.7.*", "1.7.12"));
  EXPECT_TRUE(ok("==1.7.*", "1.7.0rc1"));
  EXPECT_FALSE(ok("==1.7.*", "1.8.0"));
  EXPECT_FALSE(ok("==1.7.*", "1.70"));
  EXPECT_TRUE(ok("!=1.7.*", "1.8"));
  EXPECT_FALSE(ok("!=1.7.*", "1.7.4"));
}

TEST(MappingVersion, CompatibleRelease) {
  EXPECT_TRUE(ok("~=1.6", "1.6"));
  EXPECT_TRUE(ok("~=1.6", "1.9.2"));
  EXPECT_FALSE(ok("~=1.6", "2.0"));
  EXPECT_FALSE(ok("~=1.6", "1.5"));
  EXPECT_TRUE(ok("~=1.6.2", "1.6.5"));
  EXPECT_FALSE(ok("~=1.6.2", "1.7.0"));
  EXPECT_FALSE(ok("~=1.6.2", "1.6.1"));
}

TEST(MappingVersion, BareVersionMeansEqualAndEmptyMeansAny) {
  EXPECT_TRUE(ok("0.19.1", "0.19.1"));
  EXPECT_FALSE(ok("0.19.1", "0.20"));
  EXPECT_TRUE(ok("", "3.4"));
  EXPECT_TRUE(ok("*", "3.4"));
  auto c = VersionConstraint::parse(">=1.6");
  EXPECT_FALSE(c->satisfied_by("not a version"));
  EXPECT_EQ(c->text(), ">=1.6");
  EXPECT_EQ(c->clauses().size(), 1u);
}

TEST(MappingVersion, Errors) {
  EXPECT_EQ(parse_error(">=1.x"), "invalid version '1.x' in version constraint '>=1.x'");
  EXPECT_EQ(parse_error(">=1.6,"), "empty clause in version constraint '>=1.6,'");
  EXPECT_EQ(parse_error("~=1"), "'~=' needs at least two release components (e.g. ~=1.6) in '~=1'");
  EXPECT_EQ(parse_error(">=1.*"), "'.*' is only allowed with == or != in version constraint '>=1.*'");
  EXPECT_EQ(parse_error("=>1.0"), "invalid version '>1.0' in version constraint '=>1.0'");
}

}  // namespace
}  // namespace bpfpads
