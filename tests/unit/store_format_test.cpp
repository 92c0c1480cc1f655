// Pure formatting helpers of the store: Python float repr, MD5, YAML scalars, key rules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "store/key_validation.h"
#include "store/md5.h"
#include "store/py_float.h"
#include "store/random_id.h"
#include "store/yaml_out.h"

namespace bpfpads {
namespace {

TEST(StorePyFloat, MatchesPythonRepr) {
  const double inf = std::numeric_limits<double>::infinity();
  // Expected strings are Python 3.11's str(float) for the same values.
  const std::pair<double, const char*> cases[] = {
      {0.5, "0.5"}, {1e-05, "1e-05"}, {3.0, "3.0"}, {100.0, "100.0"}, {1e16, "1e+16"},
      {1e15, "1000000000000000.0"}, {0.0001, "0.0001"}, {0.00012345, "0.00012345"},
      {1.2345678901234568e+17, "1.2345678901234568e+17"}, {0.1 + 0.2, "0.30000000000000004"},
      {0.0, "0.0"}, {-0.0, "-0.0"}, {-2.5, "-2.5"}, {123456.789, "123456.789"},
      {1.7976931348623157e308, "1.7976931348623157e+308"}, {5e-324, "5e-324"},
      {-1e-7, "-1e-07"}, {1e100, "1e+100"}, {9999999999999998.0, "9999999999999998.0"},
      {inf, "inf"}, {-inf, "-inf"}, {std::nan(""), "nan"}, {12.5, "12.5"}, {1.0, "1.0"},
  };
  for (const auto& [v, want] : cases) EXPECT_EQ(python_float_repr(v), want) << want;
}

TEST(StoreMd5, KnownDigests) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  // FileStore dataset/input folder ids observed from MLflow 3.17.2.
  EXPECT_EQ(md5_hex("dsabcd1234"), "d98a2b7ef12b2c9d29049643f7d2330b");
  EXPECT_EQ(md5_hex("d98a2b7ef12b2c9d29049643f7d2330b970dcad3220a4831bb03b414842d9648"),
            "056e03e262d4c6dde25af58cf6b65eef");
  EXPECT_EQ(md5_hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
  EXPECT_EQ(md5_hex(std::string(56, 'b')).size(), 32u);  // padding spills into a second block
}

TEST(StoreRandomId, Shapes) {
  auto a = uuid4_hex(), b = uuid4_hex();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ((*a)[12], '4');
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  auto e = random_experiment_id();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->size(), 18u);
  EXPECT_NE((*e)[0], '0');
  EXPECT_EQ(e->find_first_not_of("0123456789"), std::string::npos);
}

TEST(StoreYaml, QuotesWhatPyYamlWouldMisread) {
  EXPECT_EQ(yaml_string("Default"), "Default");
  EXPECT_EQ(yaml_string("file:///tmp/mlruns/0"), "file:///tmp/mlruns/0");
  EXPECT_EQ(yaml_string("0"), "'0'");
  EXPECT_EQ(yaml_string("123456789012345678"), "'123456789012345678'");
  EXPECT_EQ(yaml_string(""), "''");
  EXPECT_EQ(yaml_string("yes"), "'yes'");
  EXPECT_EQ(yaml_string("Null"), "'Null'");
  EXPECT_EQ(yaml_string("a: b"), "'a: b'");
  EXPECT_EQ(yaml_string("it's"), "'it''s'");
  EXPECT_EQ(yaml_string("{\"uri\": \"/x\"}"), "'{\"uri\": \"/x\"}'");
  EXPECT_EQ(yaml_string("two\nlines\t\"q\"\\"), "\"two\\nlines\\t\\\"q\\\"\\\\\"");
  EXPECT_EQ(YamlMap().str("b", "x").integer("a", 5).null("c").empty_list("d").map("e", {}).dump(),
            "a: 5\nb: x\nc: null\nd: []\ne: {}\n");
  EXPECT_EQ(YamlMap().map("tags", {{"mlflow.data.context", "training"}}).dump(),
            "tags:\n  mlflow.data.context: training\n");
}

TEST(StoreKeys, MlflowNameRules) {
  for (const char* ok : {"loss", "system/cpu_utilization_percentage", "a b", "x:y", "a.b-c_d",
                         "ü_ß", "..a/b", "a..b"}) {
    // "..a/b" normalises to itself but starts with "..": MLflow rejects it.
    if (std::string(ok) == "..a/b") {
      EXPECT_FALSE(validate_key("metric", ok)) << ok;
      continue;
    }
    EXPECT_TRUE(validate_key("metric", ok)) << ok;
  }
  for (const char* bad : {"", ".", "..", "/a", "a/", "a//b", "./a", "a/./b", "a/../b", "a$b",
                          "a\nb", "tab\t", "€", "a,b", "a=b"}) {
    auto r = validate_key("param", bad);
    ASSERT_FALSE(r) << bad;
    if (*bad) {
      EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
    }
  }
  EXPECT_TRUE(validate_key("tag", std::string(250, 'k')));
  EXPECT_FALSE(validate_key("tag", std::string(251, 'k')));
}

TEST(StoreKeys, NormpathAsPython) {
  EXPECT_EQ(posix_normpath(""), ".");
  EXPECT_EQ(posix_normpath("a//b/"), "a/b");
  EXPECT_EQ(posix_normpath("//a"), "//a");
  EXPECT_EQ(posix_normpath("///a"), "/a");
  EXPECT_EQ(posix_normpath("../a/../../b"), "../../b");
  EXPECT_EQ(posix_normpath("/../a"), "/a");
}

TEST(StoreKeys, TruncatesByCodePoints) {
  std::string s = "é" + std::string(10, 'x');
  EXPECT_EQ(utf8_length(s), 11u);
  EXPECT_TRUE(truncate_utf8(s, 1));
  EXPECT_EQ(s, "é");
  EXPECT_EQ(truncate_param_value("p", std::string(6001, 'v')).size(), 6000u);
  EXPECT_EQ(truncate_tag_value("t", std::string(8001, 'v')).size(), 8000u);
  EXPECT_EQ(truncate_tag_value("t", "short"), "short");
}

}  // namespace
}  // namespace bpfpads
