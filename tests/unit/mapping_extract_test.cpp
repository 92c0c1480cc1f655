// The `extract` section, templates and regexes, with exact error positions.
#include <gtest/gtest.h>

#include "mapping/mapping_parser.h"
#include "common/python_regex.h"
#include "mapping/value_template.h"

namespace bpfpads {
namespace {

TEST(MappingTemplate, CompilesAndRenders) {
  auto t = ValueTemplate::compile("{name}={value} {{literal}}").value();
  EXPECT_EQ(t.referenced_names(), (std::vector<std::string>{"name", "value"}));
  EXPECT_EQ(t.render({{"name", "eta"}, {"value", "0.3"}}).value(), "eta=0.3 {literal}");
  EXPECT_EQ(t.render({{"name", "eta"}}).error().message, "no value for {value} in template '{name}={value} {{literal}}'");
  EXPECT_EQ(ValueTemplate::compile("plain").value().render({}).value(), "plain");
  EXPECT_EQ(ValueTemplate::compile("{a").error().message, "unclosed '{' at offset 0 in template '{a'");
  EXPECT_EQ(ValueTemplate::compile("a}").error().message,
            "unmatched '}' at offset 1 in template 'a}' (write }} for a literal brace)");
  EXPECT_EQ(ValueTemplate::compile("{a b}").error().message,
            "'{a b}' in template '{a b}' is not a placeholder (write {{ and }} for literal braces)");
}

TEST(MappingRegex, PythonMatchSemantics) {
  auto r = PythonRegex::compile("(fit|predict)").value();
  EXPECT_TRUE(r.match_at_start("fit"));
  EXPECT_TRUE(r.match_at_start("fit_transform"));  // not anchored at the end
  EXPECT_FALSE(r.match_at_start("refit"));         // anchored at the start
  auto named = PythonRegex::compile("(?P<name>\\w+)=(?P<value>\\d+)").value();
  EXPECT_EQ(named.group_names(), (std::vector<std::string>{"name", "value"}));
  auto all = named.find_all("a=1, b=22");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["name"], "b");
  EXPECT_EQ(all[1]["value"], "22");
  EXPECT_TRUE(PythonRegex::compile(".*").value().find_all("").size() == 1);
  EXPECT_EQ(PythonRegex::compile("a(").error().message,
            "invalid regular expression 'a(': missing closing parenthesis at offset 2");
  // Invalid UTF-8 in a subject never fails a match.
  EXPECT_TRUE(PythonRegex::compile("x").value().match_at_start("x\xff"));
}

constexpr const char* kHeader =
    "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
    "mappings:\n"
    "  :{lib:libx.so}.f:\n"
    "    hooks: h\n"
    "    capture: {args: [name: str, value: str, n: i32], returns: f64}\n";  // extract on line 6

MappingParseResult parse(const std::string& extract) {
  return parse_mapping_text(std::string(kHeader) + extract, "e.yaml");
}

std::string errors_of(const std::string& extract) {
  auto r = parse(extract);
  std::string text;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::Error) text += d.format() + "\n";
  return text;
}

TEST(MappingExtract, AllRuleKinds) {
  auto r = parse(
      "    extract:\n"
      "      params: [{key: \"{name}\", value: \"{value}\"}, {key: n, value: \"{n}\"}]\n"
      "      metrics:\n"
      "        - {name: loss, value: \"{return}\", step: \"{n}\"}\n"
      "        - {from: \"{value}\", pattern: \"(?P<value>[0-9.]+)\", name: \"m_{name}\"}\n"
      "      tags: {key: t, value: \"{name}\"}\n"
      "      inputs: {name: \"{name}\", rows: \"{n}\", columns: \"3\", source: \"/data/{name}.csv\"}\n"
      "      artifacts: {path: \"{value}\"}\n"
      "      step: \"{n}\"\n"
      "      using: xgboost_eval\n");
  ASSERT_TRUE(r.file.has_value()) << r.file.error().message;
  const ExtractSpec& x = *r.file->entries[0].extract;
  EXPECT_EQ(x.params.size(), 2u);
  ASSERT_EQ(x.metrics.size(), 2u);
  EXPECT_TRUE(x.metrics[1].pattern.has_value());
  EXPECT_EQ(x.metrics[0].value->render({{"return", "0.5"}}).value(), "0.5");
  EXPECT_EQ(x.tags.size(), 1u);
  ASSERT_EQ(x.inputs.size(), 1u);
  EXPECT_EQ(x.inputs[0].source->render({{"name", "iris"}}).value(), "/data/iris.csv");
  EXPECT_EQ(x.artifacts.size(), 1u);
  EXPECT_TRUE(x.step.has_value());
  EXPECT_EQ(x.extractor, "xgboost_eval");
  EXPECT_EQ(x.params[1].location.format(), "e.yaml:7:51");
}

TEST(MappingExtract, PlaceholderErrors) {
  EXPECT_EQ(errors_of("    extract: {params: {key: \"{nam}\", value: x}}\n"),
            "e.yaml:6:29: error: '{nam}' in 'extract.params.key' names no captured value (captured: name, value, n, "
            "return)\n");
  EXPECT_EQ(errors_of("    extract: {step: \"{a b}\"}\n"),
            "e.yaml:6:21: error: '{a b}' in template '{a b}' is not a placeholder (write {{ and }} for literal "
            "braces)\n");
  auto no_capture = parse_mapping_text(
      "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
      "mappings:\n"
      "  :m.f:\n"
      "    hooks: h\n"
      "    extract: {tags: {key: k, value: \"{x}\"}}\n",
      "e.yaml");
  ASSERT_EQ(no_capture.diagnostics.size(), 1u);
  EXPECT_EQ(no_capture.diagnostics[0].format(),
            "e.yaml:5:37: error: '{x}' in 'extract.tags.value' names no captured value (this path has no 'capture')");
  auto no_return = parse_mapping_text(
      "metadata: {author: a, version: '1', library: {name: l, version: '1'}}\n"
      "mappings:\n"
      "  :m.f:\n"
      "    hooks: h\n"
      "    capture: {args: [a: i32]}\n"
      "    extract: {step: \"{return}\"}\n",
      "e.yaml");
  EXPECT_EQ(no_return.diagnostics.at(0).format(),
            "e.yaml:6:21: error: '{return}' in 'extract.step' names no captured value (add 'returns: TYPE' to "
            "'capture')");
}

TEST(MappingExtract, MetricErrors) {
  EXPECT_EQ(errors_of("    extract: {metrics: {from: \"{value}\", pattern: \"(?P<name>\\\\w+)\"}}\n"),
            "e.yaml:6:51: error: metrics pattern needs a named group 'value', e.g. (?P<value>[0-9.eE+-]+)\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {from: \"{value}\", pattern: \"(?P<value>x)\"}}\n"),
            "e.yaml:6:51: error: metrics pattern needs a named group 'name' (or give 'name:')\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {from: \"{value}\", pattern: \"(?P<value>\"}}\n"),
            "e.yaml:6:51: error: invalid regular expression '(?P<value>': missing closing parenthesis at offset "
            "10\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {from: \"{value}\"}}\n"),
            "e.yaml:6:24: error: 'extract.metrics' with 'from' needs 'pattern'\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {name: x, value: \"{n}\", from: \"{value}\", pattern: x}}\n"),
            "e.yaml:6:34: error: a metric has either 'value' or 'from' + 'pattern', not both\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {value: \"{n}\"}}\n"), "e.yaml:6:24: error: 'extract.metrics' needs 'name'\n");
  EXPECT_EQ(errors_of("    extract: {metrics: {name: x}}\n"), "e.yaml:6:24: error: 'extract.metrics' needs 'value'\n");
}

TEST(MappingExtract, ShapeErrors) {
  EXPECT_EQ(errors_of("    extract: {params: {key: x}}\n"), "e.yaml:6:23: error: 'extract.params' needs 'value'\n");
  EXPECT_EQ(errors_of("    extract: {params: {key: x, value: y, extra: z}}\n"),
            "e.yaml:6:42: error: unknown key 'extra' in 'extract.params' (expected key, value, from, pattern)\n");
  EXPECT_EQ(errors_of("    extract: {params: 3}\n"),
            "e.yaml:6:23: error: 'extract.params' must be a mapping or a list of mappings\n");
  EXPECT_EQ(errors_of("    extract: {inputs: {}}\n"),
            "e.yaml:6:23: error: 'extract.inputs' needs at least one of name, rows, columns, source\n");
  EXPECT_EQ(errors_of("    extract: {artifacts: [x]}\n"), "e.yaml:6:27: error: 'extract.artifacts' entries must be mappings\n");
  EXPECT_EQ(errors_of("    extract: {using: 'a b'}\n"),
            "e.yaml:6:22: error: 'using' must name a C++ extractor (an identifier)\n");
  EXPECT_EQ(errors_of("    extract: {logs: 1}\n"),
            "e.yaml:6:15: error: unknown key 'logs' in 'extract' (expected params, metrics, tags, inputs, "
            "artifacts, step, scope, set, using)\n");
  EXPECT_EQ(errors_of("    extract: [1]\n"),
            "e.yaml:6:14: error: 'extract' must be a mapping of params, metrics, tags, inputs, artifacts, step, "
            "scope, set, using\n");
  EXPECT_EQ(errors_of("    extract: {step: [1]}\n"),
            "e.yaml:6:21: error: 'extract.step' must be a template string such as \"{name}\"\n");
}

}  // namespace
}  // namespace bpfpads
