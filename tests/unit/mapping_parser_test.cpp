// The path tree, node keys and every error of the mapping parser, with exact positions.
#include <gtest/gtest.h>

#include <string>

#include "mapping/mapping_parser.h"

namespace bpfpads {
namespace {

// Five header lines: the text given starts on line 6, column 1.
constexpr const char* kHeader =
    "metadata:\n"
    "  author: a\n"
    "  version: \"1\"\n"
    "  library: {name: lib, version: \">=1\"}\n"
    "mappings:\n";

MappingParseResult parse(const std::string& mappings) { return parse_mapping_text(kHeader + mappings, "m.yaml"); }

std::string errors(const MappingParseResult& r) {
  std::string text;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::Error) text += d.format() + "\n";
  return text;
}

std::string warnings(const MappingParseResult& r) {
  std::string text;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::Warning) text += d.format() + "\n";
  return text;
}

// Parses and expects exactly one error, returned as "file:line:col: error: reason".
std::string only_error(const std::string& mappings) {
  auto r = parse(mappings);
  EXPECT_FALSE(r.file.has_value());
  const std::string e = errors(r);
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  return e.empty() ? "" : e.substr(0, e.size() - 1);
}

std::vector<std::string> paths(const MappingParseResult& r) {
  std::vector<std::string> out;
  if (r.file)
    for (const auto& e : r.file->entries) out.push_back(e.path_text());
  return out;
}

TEST(MappingParser, ImplicitPathsNestAndAccumulateHooks) {
  auto r = parse(
      "  :a.b:\n"
      "    hooks: h1\n"
      "    :C:\n"
      "      hooks: [h2, h1]\n"
      "    .D.e: ~\n");
  ASSERT_TRUE(r.file) << errors(r);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"a.b.C", "a.b.D.e"}));
  EXPECT_EQ(r.file->entries[0].hooks, (std::vector<std::string>{"h1", "h2"}));
  // A null child inherits its parent's hooks.
  EXPECT_EQ(r.file->entries[1].hooks, (std::vector<std::string>{"h1"}));
  EXPECT_EQ(r.file->entries[1].location.format(), "m.yaml:10:5");
  EXPECT_EQ(r.file->entries[1].path.size(), 4u);
}

TEST(MappingParser, HooksWrittenAfterChildrenStillReachThem) {
  auto r = parse(
      "  :a:\n"
      "    :b: ~\n"
      "    hooks: late\n");
  ASSERT_TRUE(r.file) << errors(r);
  ASSERT_EQ(r.file->entries.size(), 1u);
  EXPECT_EQ(r.file->entries[0].hooks, std::vector<std::string>{"late"});
}

TEST(MappingParser, DataAccumulatesAndMerges) {
  auto r = parse(
      "  :a:\n"
      "    data: {concepts: [x], name: parent, nested: {k: 1, j: 2}}\n"
      "    :b:\n"
      "      hooks: h\n"
      "      data: {concepts: [y, x], name: child, nested: {k: 3}}\n");
  ASSERT_TRUE(r.file) << errors(r);
  const auto& data = r.file->entries[0].data;
  EXPECT_EQ(data["concepts"], nlohmann::json::array({"x", "y"}));
  EXPECT_EQ(data["name"], "child");
  EXPECT_EQ(data["nested"], (nlohmann::json{{"k", 3}, {"j", 2}}));
}

TEST(MappingParser, TaggedSegmentsBothSpellings) {
  auto r = parse(
      "  !!python/pPath pkg.mod:\n"
      "    !!python/sSeg Cls:\n"
      "      !!python/rSeg (fit|predict)$:\n"
      "        hooks: h\n"
      "    !!python/pSeg other.name:\n"
      "      hooks: h\n"
      "    !<tag:yaml.org,2002:python/rSeg> x+:\n"
      "      hooks: h\n");
  ASSERT_TRUE(r.file) << errors(r);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"pkg.mod.Cls.{re:(fit|predict)$}", "pkg.mod.other.name",
                                                "pkg.mod.{re:x+}"}));
  // sSeg/pSeg is one literal segment even with a dot.
  EXPECT_EQ(r.file->entries[1].path.size(), 3u);
  EXPECT_TRUE(r.file->entries[1].path[2].matches("other.name"));
}

TEST(MappingParser, RegexSegmentsWithBraces) {
  auto r = parse(
      "  :m.{re:a{2}}:\n"
      "    hooks: h\n"
      "  :m.{re:[}]x}.f:\n"
      "    hooks: h\n"
      "  :m.{re:(?P<n>\\w+)_v\\d$}:\n"
      "    hooks: h\n");
  ASSERT_TRUE(r.file) << errors(r);
  const auto& e = r.file->entries;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_TRUE(e[0].path[1].matches("aa"));
  EXPECT_FALSE(e[0].path[1].matches("a"));
  EXPECT_TRUE(e[1].path[1].matches("}x"));
  EXPECT_EQ(e[1].path[2].text, "f");
  EXPECT_TRUE(e[2].path[1].matches("conv_v2"));
  EXPECT_FALSE(e[2].path[1].matches("conv_v2x"));
}

TEST(MappingParser, FragmentsIncludeAndMerge) {
  auto r = parse_mapping_text(std::string(
                                  "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
                                  "fragments:\n"
                                  "  model:\n"
                                  "    :fit: {hooks: pypads_fit}\n"
                                  "    ;common: ~\n"
                                  "  common:\n"
                                  "    data: {concepts: [c]}\n"
                                  "mappings:\n"
                                  "  :pkg.Model:\n"
                                  "    ;model: ~\n"
                                  "    :predict: {hooks: pypads_predict}\n"),
                              "f.yaml");
  ASSERT_TRUE(r.file) << errors(r);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"pkg.Model.fit", "pkg.Model.predict"}));
  EXPECT_EQ(r.file->entries[1].data["concepts"], nlohmann::json::array({"c"}));
}

TEST(MappingParser, CaptureOrExtractMakeAnInnerNodeAnEntry) {
  auto r = parse(
      "  :{lib:libm.so}.cos:\n"
      "    hooks: h\n"
      "    capture: {args: [x: f64], returns: f64}\n"
      "    extract: {metrics: {name: cos, value: \"{return}\"}}\n"
      "    .inner: ~\n");
  ASSERT_TRUE(r.file) << errors(r);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"{lib:libm.so}.cos", "{lib:libm.so}.cos.inner"}));
  EXPECT_TRUE(r.file->entries[0].capture);
  EXPECT_FALSE(r.file->entries[1].capture);  // capture is not inherited
}

TEST(MappingParser, DocsFlowMapRegexKeyIsAcceptedWithWarning) {
  auto r = parse(
      "  :pkg.C:\n"
      "    {re: (fit|fit_predict)$}:\n"
      "      hooks: h\n");
  ASSERT_TRUE(r.file) << errors(r);
  EXPECT_EQ(paths(r), std::vector<std::string>{"pkg.C.{re:(fit|fit_predict)$}"});
  EXPECT_EQ(warnings(r),
            "m.yaml:7:5: warning: YAML reads an unquoted '{re: ...}' key as a mapping; write ':{re:...}' instead\n");
}

TEST(MappingParser, LeafWithoutHooksWarns) {
  auto r = parse("  :a.b:\n    data: {x: 1}\n");
  ASSERT_TRUE(r.file);
  EXPECT_EQ(warnings(r),
            "m.yaml:5:1: warning: no path has hooks; this file tracks nothing\n"
            "m.yaml:6:3: warning: path 'a.b' has no hooks; nothing is tracked there\n");
}

// ---- errors, each with its exact position ----

TEST(MappingParser, ErrorUnknownKey) {
  EXPECT_EQ(only_error("  :a:\n    hook: h\n"),
            "m.yaml:7:5: error: unknown key 'hook' (expected a path like ':name', or one of hooks, events, "
            "import-hooks, data, capture, extract)");
  EXPECT_EQ(only_error("  :a:\n    captures: {}\n"),
            "m.yaml:7:5: error: unknown key 'captures' (expected a path like ':name', or one of hooks, events, "
            "import-hooks, data, capture, extract)");
  EXPECT_EQ(only_error("  :a:\n    'not a path': 1\n"),
            "m.yaml:7:5: error: unknown key 'not a path' (expected a path like ':name', or one of hooks, events, "
            "import-hooks, data, capture, extract)");
}

TEST(MappingParser, ErrorUnknownTag) {
  EXPECT_EQ(only_error("  !!python/xSeg a:\n    hooks: h\n"),
            "m.yaml:6:3: error: unknown tag '!!python/xSeg' (expected !!python/pPath, !!python/rSeg, !!python/sSeg "
            "or !!python/pSeg)");
}

TEST(MappingParser, ErrorInvalidRegex) {
  EXPECT_EQ(only_error("  :a.{re:(fit}:\n    hooks: h\n"),
            "m.yaml:6:3: error: invalid regular expression '(fit': missing closing parenthesis at offset 4");
  EXPECT_EQ(only_error("  :a:\n    !!python/rSeg '[a-':\n      hooks: h\n"),
            "m.yaml:7:5: error: invalid regular expression '[a-': missing terminating ] for character class at "
            "offset 3");
}

TEST(MappingParser, ErrorMalformedPaths) {
  EXPECT_EQ(only_error("  :a..b: {hooks: h}\n"), "m.yaml:6:3: error: invalid path: empty segment at offset 2");
  EXPECT_EQ(only_error("  :a.{re:x: {hooks: h}\n"), "m.yaml:6:3: error: invalid path: unclosed '{' at offset 2");
  EXPECT_EQ(only_error("  :a.b{re:x}: {hooks: h}\n"),
            "m.yaml:6:3: error: invalid path: '{' inside a literal segment at offset 3 (a {re:...} segment must be "
            "a whole segment)");
  EXPECT_EQ(only_error("  :a.{re:x}y: {hooks: h}\n"),
            "m.yaml:6:3: error: invalid path: expected '.' after '}' at offset 8");
  EXPECT_EQ(only_error("  :a.{foo:x}: {hooks: h}\n"),
            "m.yaml:6:3: error: invalid path: unknown segment '{foo:x}' at offset 2 (expected {re:REGEX}, "
            "{lib:NAME}, {exe:GLOB} or {usdt:PROVIDER})");
  EXPECT_EQ(only_error("  ':': {hooks: h}\n"), "m.yaml:6:3: error: invalid path: empty path");
}

TEST(MappingParser, ErrorTargetSelectorsOutOfPlace) {
  EXPECT_EQ(only_error("  :a:\n    :{lib:libx.so}.f: {hooks: h}\n"),
            "m.yaml:7:5: error: '{lib:libx.so}' must be the first segment of a path");
  EXPECT_EQ(only_error("  :a.{usdt:p}.f: {hooks: h}\n"),
            "m.yaml:6:3: error: '{usdt:p}' must directly follow {lib:...} or {exe:...}");
  EXPECT_EQ(only_error("  :{lib:libx.so}: {hooks: h}\n"),
            "m.yaml:6:3: error: a {lib:...}/{exe:...} target needs a symbol path after it");
}

TEST(MappingParser, ErrorFragments) {
  EXPECT_EQ(only_error("  :a:\n    ;nope: ~\n"), "m.yaml:7:5: error: unknown fragment 'nope'");
  auto r = parse_mapping_text(std::string("metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
                                          "fragments:\n"
                                          "  x:\n"
                                          "    ;y: ~\n"
                                          "  y:\n"
                                          "    ;x: ~\n"
                                          "mappings:\n"
                                          "  :a:\n"
                                          "    ;x: ~\n"
                                          "    hooks: h\n"),
                              "f.yaml");
  EXPECT_EQ(errors(r), "f.yaml:6:5: error: fragment 'x' includes itself (x -> y -> x)\n");
}

TEST(MappingParser, ErrorFragmentIncludeWithValue) {
  auto r = parse_mapping_text(std::string("metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
                                          "fragments: {x: {hooks: h}}\n"
                                          "mappings:\n"
                                          "  :a:\n"
                                          "    ;x: yes\n"),
                              "f.yaml");
  EXPECT_EQ(errors(r), "f.yaml:5:9: error: a fragment include takes no value (write ';x: ~')\n");
}

TEST(MappingParser, ErrorBadNodeValues) {
  EXPECT_EQ(only_error("  :a: 3\n"),
            "m.yaml:6:7: error: the value of a path must be a mapping (hooks, data, paths...) or ~");
  EXPECT_EQ(only_error("  :a:\n    hooks: {x: 1}\n"),
            "m.yaml:7:12: error: 'hooks' must be a string or a list of strings");
  EXPECT_EQ(only_error("  :a:\n    hooks: 'not a hook'\n"),
            "m.yaml:7:12: error: invalid hook name 'not a hook' in 'hooks' (expected e.g. pypads_fit)");
  EXPECT_EQ(only_error("  :a:\n    hooks: h\n    data: [1]\n"), "m.yaml:8:11: error: 'data' must be a mapping");
  EXPECT_EQ(only_error("  :a:\n    hooks: h\n    capture: {}\n    capture: {}\n"),
            "m.yaml:9:5: error: second 'capture' for this path (first at m.yaml:8:5)");
  EXPECT_EQ(only_error("  hooks: h\n"),
            "m.yaml:5:1: error: hooks, capture and extract need a path (they are outside any path here)");
}

TEST(MappingParser, ErrorTopLevelAndMetadata) {
  auto r = parse_mapping_text("mappings:\n  :a: {hooks: h}\n", "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:1:1: error: missing 'metadata' (author, version, library)\n");

  r = parse_mapping_text("metadata:\n  author: a\n  version: '1'\nmappings:\n  :a: {hooks: h}\n", "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:1:1: error: 'metadata' is missing 'library'\n");

  r = parse_mapping_text("metadata:\n  version: '1'\n  library:\n    name: x\nmappings:\n  :a: {hooks: h}\n",
                         "t.yaml");
  EXPECT_EQ(errors(r),
            "t.yaml:1:1: error: 'metadata' is missing 'author'\n"
            "t.yaml:3:3: error: 'metadata.library' is missing 'version'\n");

  r = parse_mapping_text(
      "metadata:\n  author: a\n  version: '1'\n  library:\n    name: x\n    version: '>=1.x'\n"
      "mappings:\n  :a: {hooks: h}\n",
      "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:6:14: error: invalid version '1.x' in version constraint '>=1.x'\n");

  r = parse_mapping_text("metadata: 3\nmappings:\n  :a: {hooks: h}\n", "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:1:11: error: 'metadata' must be a mapping with author, version and library\n");

  r = parse(" :a: {hooks: h}\nextra: 1\n");
  EXPECT_EQ(errors(r), "m.yaml:7:1: error: unknown top-level key 'extra' (expected metadata, fragments, mappings)\n");

  r = parse_mapping_text("metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n", "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:1:1: error: missing 'mappings' (the path tree)\n");

  r = parse_mapping_text("", "t.yaml");
  EXPECT_EQ(errors(r), "t.yaml:1:1: error: empty mapping file (expected metadata and mappings)\n");
}

TEST(MappingParser, ErrorInvalidYaml) {
  auto r = parse("  :a: [unclosed\n");
  // yaml-cpp notices at the end of the input.
  EXPECT_EQ(errors(r), "m.yaml:7:1: error: invalid YAML: end of sequence flow not found\n");
  EXPECT_FALSE(r.file.has_value());
  EXPECT_EQ(r.file.error().message, "m.yaml:7:1: error: invalid YAML: end of sequence flow not found");
}

TEST(MappingParser, AllErrorsAreReportedNotJustTheFirst) {
  auto r = parse("  :a:\n    hook: h\n  :b.{re:(}: {hooks: h}\n");
  EXPECT_EQ(errors(r),
            "m.yaml:7:5: error: unknown key 'hook' (expected a path like ':name', or one of hooks, events, "
            "import-hooks, data, capture, extract)\n"
            "m.yaml:8:3: error: invalid regular expression '(': missing closing parenthesis at offset 1\n");
}

TEST(MappingParser, HostileInputIsBounded) {
  // 70 nested paths.
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += std::string(2 * (i + 1), ' ') + ":s" + std::to_string(i) + ":\n";
  auto r = parse(deep);
  EXPECT_NE(errors(r).find("error: paths nested deeper than 64 levels"), std::string::npos);

  // An alias bomb: 10^8 nodes if expanded.
  std::string bomb = "  :a:\n    data:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    bomb += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += std::string(j ? ", " : "") + "*l" + std::to_string(i - 1);
    bomb += "]\n";
  }
  bomb += "    hooks: h\n";
  r = parse(bomb);
  EXPECT_NE(errors(r).find("error: file too large"), std::string::npos) << errors(r);

  // Fragments that include each other twice per level.
  std::string frag = "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\nfragments:\n";
  for (int i = 0; i < 30; ++i)
    frag += "  f" + std::to_string(i) + ": {';f" + std::to_string(i + 1) + "': ~, ';f" + std::to_string(i + 1) +
            "x': ~}\n  f" + std::to_string(i) + "x: {';f" + std::to_string(i + 1) + "': ~}\n";
  frag += "  f30: {hooks: h}\n  f30x: {hooks: h}\nmappings:\n  :a:\n    ;f0: ~\n";
  r = parse_mapping_text(frag, "f.yaml");
  EXPECT_NE(errors(r).find("error: file too large"), std::string::npos) << errors(r);
}

}  // namespace
}  // namespace bpfpads
