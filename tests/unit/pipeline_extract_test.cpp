// Extract rules evaluated on decoded calls: params unpacked from one string, inputs
// from a pattern, cut strings, run variables, {call} and scopes (per-booster keys).
#include <gtest/gtest.h>

#include "mapping/mapping_parser.h"
#include "pipeline/extract_eval.h"
#include "pipeline/run_sink.h"
#include "run/run_recorder.h"
#include "recording_store.h"

namespace bpfpads {
namespace {

struct Fixture {
  testing::RecordingStore store;  // evaluation never writes through it
  RunRecorder recorder{store, RunInfo{}};
  RunSink sink{recorder};
  MappingFile file;
  Hook hook;
  HookCallEvent event{};

  explicit Fixture(const std::string& entry_yaml) {
    auto r = parse_mapping_text("metadata: {author: a, version: '1', library: {name: l, version: '*'}}\n"
                                "mappings:\n  :{lib:libx.so}.f:\n    hooks: pypads_metric\n" + entry_yaml,
                                "t.yaml");
    for (const auto& d : r.diagnostics) ADD_FAILURE() << d.format();
    file = std::move(*r.file);
    hook.entry = &file.entries.at(0);
    hook.function = "f";
  }
  const ExtractSpec& spec() const { return *hook.entry->extract; }
  HookCall call(std::map<std::string, CapturedValue> values) {
    HookCall c{hook, event, std::move(values)};
    c.run_variables = &sink.variables;
    return c;
  }
};

TEST(PipelineExtract, ParamsUnpackedFromOneString) {
  Fixture f("    capture: {args: [p: str]}\n"
            "    extract: {params: {from: '{p}', pattern: '(?:^|\\s)(?P<key>[^=\\s]+)=(?P<value>\\S*)'}}\n");
  auto params = extract_params(f.spec(), f.call({{"p", {"objective=binary num_leaves=7 metric=auc,l2 empty="}}}),
                               f.sink);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].key, "objective");
  EXPECT_EQ(params[0].value, "binary");
  EXPECT_EQ(params[1].key, "num_leaves");
  EXPECT_EQ(params[1].value, "7");
  EXPECT_EQ(params[2].value, "auc,l2");
  EXPECT_EQ(params[3].key, "empty");
  EXPECT_EQ(params[3].value, "");
}

TEST(PipelineExtract, CutStringKeepsOnlyCompleteMatches) {
  Fixture f("    capture: {args: [r: str]}\n"
            "    extract: {metrics: {from: '{r}', pattern: '\\t(?P<name>[^:\\t]+):(?P<value>[^\\t]+)'}}\n");
  CapturedValue cut{"[0]\ttrain-logloss:0.5884509885311127\teval-logloss:0.63"};
  cut.cut = true;
  auto m = extract_metrics(f.spec(), f.call({{"r", cut}}), f.sink);
  ASSERT_EQ(m.size(), 1u);  // eval-logloss:0.63 may be a prefix of the real value
  EXPECT_EQ(m[0].name, "train-logloss");
  EXPECT_EQ(m[0].value, 0.5884509885311127);
  EXPECT_EQ(f.sink.warnings().back(), "f: 'r' was cut at its capture bound; metrics from the part that was kept");
  cut.cut = false;
  EXPECT_EQ(extract_metrics(f.spec(), f.call({{"r", cut}}), f.sink).size(), 2u);
}

TEST(PipelineExtract, InputsFromAPattern) {
  Fixture f("    capture: {args: [a: str]}\n"
            "    extract: {inputs: {from: '{a}', pattern: '\"shape\": \\[(?P<rows>\\d+), (?P<columns>\\d+)\\]',"
            " name: 'm{rows}'}}\n");
  auto in = extract_inputs(f.spec(), f.call({{"a", {R"({"data": [1, false], "shape": [450, 6], "version": 3})"}}}),
                           f.sink);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].name, "m450");
  EXPECT_EQ(in[0].profile, R"({"num_columns":6,"num_elements":2700,"num_rows":450})");
  EXPECT_TRUE(extract_inputs(f.spec(), f.call({{"a", {"no shape"}}}), f.sink).empty());
}

TEST(PipelineExtract, RunVariablesAndCallNumber) {
  Fixture f("    capture: {args: [n: str, v: f64]}\n"
            "    extract:\n      set: {run_metric: '{n}'}\n"
            "      metrics: {name: 'valid-{run_metric}', value: '{v}', step: '{call}'}\n");
  auto first = f.call({{"n", {"auc"}}, {"v", {"0.5"}}});
  EXPECT_TRUE(extract_metrics(f.spec(), first, f.sink).empty());  // not set yet: skipped
  extract_variables(f.spec(), first, f.sink);
  EXPECT_EQ(f.sink.variables.at("run_metric"), "auc");
  auto second = f.call({{"n", {"auc"}}, {"v", {"0.75"}}});
  second.scope_call = 3;
  auto m = extract_metrics(f.spec(), second, f.sink);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "valid-auc");
  EXPECT_EQ(m[0].value, 0.75);
  EXPECT_EQ(m[0].step, 3);
}

TEST(PipelineExtract, ArraysAreReadElementByElement) {
  Fixture f("    capture: {args: [n: out i32, names: 'out str[32][{n}]', values: 'out f64[{n}]', i: i32]}\n"
            "    extract:\n      set: {run_names: '{names}'}\n"
            "      metrics: {from: '{i}={values}', pattern: '^1=(?P<value>.+)$', name: 'valid_0-{run_names}'}\n");
  CapturedValue names{"auc,l2"}, values{"0.5,0.25"};
  names.is_array = values.is_array = true;
  names.elements = {"auc", "l2"};
  values.elements = {"0.5", "0.25"};
  extract_variables(f.spec(), f.call({{"names", names}}), f.sink);
  auto m = extract_metrics(f.spec(), f.call({{"i", {"1"}}, {"values", values}}), f.sink);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "valid_0-auc");
  EXPECT_EQ(m[0].value, 0.5);
  EXPECT_EQ(m[1].name, "valid_0-l2");
  EXPECT_EQ(m[1].value, 0.25);
  EXPECT_TRUE(extract_metrics(f.spec(), f.call({{"i", {"0"}}, {"values", values}}), f.sink).empty());
}

TEST(PipelineExtract, ScopesPrefixParamsAndMetrics) {
  Fixture f("    capture: {args: [h: ptr, k: str, v: str]}\n"
            "    extract:\n      scope: {key: '{h}', name: booster}\n"
            "      params: {key: '{k}', value: '{v}'}\n      metrics: {name: '{k}', value: '{v}', step: '1'}\n");
  EXPECT_EQ(f.spec().scope_name, "booster");
  auto values = [](const char* h) {
    return std::map<std::string, CapturedValue>{{"h", {h}}, {"k", {"eta"}}, {"v", {"0.3"}}};
  };
  for (const char* h : {"0x10", "0x20", "0x10", "0x30"}) {
    auto c = f.call(values(h));
    c.scope_prefix = f.sink.scope_prefix(f.spec().scope_name, *extract_scope(f.spec(), c, f.sink));
    auto p = extract_params(f.spec(), c, f.sink);
    auto m = extract_metrics(f.spec(), c, f.sink);
    ASSERT_EQ(p.size(), 1u);
    ASSERT_EQ(m.size(), 1u);
    const std::string want = std::string(h) == "0x10" ? "eta" : std::string(h) == "0x20" ? "booster_1/eta" : "booster_2/eta";
    EXPECT_EQ(p[0].key, want);
    EXPECT_EQ(m[0].name, want);
  }
}

// XGBoosterFree ends a scope: a booster created later at the freed address gets a
// prefix of its own, and the numbering never reuses an ended scope's.
TEST(PipelineExtract, EndedScopeValueStartsANewScope) {
  Fixture f("    capture: {args: [h: ptr]}\n"
            "    extract:\n      scope: {key: '{h}', name: booster, end: true}\n");
  EXPECT_TRUE(f.spec().scope_ends);
  EXPECT_EQ(f.sink.scope_prefix("booster", "0x10"), "");
  EXPECT_EQ(f.sink.scope_prefix("booster", "0x20"), "booster_1/");
  f.sink.end_scope("0x10");
  EXPECT_EQ(f.sink.scope_prefix("booster", "0x10"), "booster_2/");
  EXPECT_EQ(f.sink.scope_prefix("booster", "0x20"), "booster_1/");
  EXPECT_EQ(f.sink.scope_prefix("booster", "0x30"), "booster_3/");
}

TEST(PipelineExtract, ParserChecksTheNewForms) {
  auto errors = [](const std::string& extract) {
    auto r = parse_mapping_text("metadata: {author: a, version: '1', library: {name: l, version: '*'}}\n"
                                "mappings:\n  :{lib:libx.so}.f:\n    hooks: h\n    capture: {args: [p: str]}\n" +
                                    extract,
                                "e.yaml");
    std::string text;
    for (const auto& d : r.diagnostics) text += d.format() + "\n";
    return text;
  };
  EXPECT_EQ(errors("    extract: {params: {from: '{p}', pattern: '(?P<k>\\w+)'}}\n"),
            "e.yaml:6:46: error: params pattern needs named groups 'key' and 'value', e.g. "
            "(?P<key>[^=\\s]+)=(?P<value>\\S*)\n");
  EXPECT_EQ(errors("    extract: {params: {from: '{p}', key: a, value: b}}\n"),
            "e.yaml:6:23: error: a param has either 'key' + 'value' or 'from' + 'pattern', not both\n");
  EXPECT_EQ(errors("    extract: {params: {from: '{p}'}}\n"),
            "e.yaml:6:23: error: 'extract.params' with 'from' needs 'pattern'\n");
  EXPECT_EQ(errors("    extract: {set: {metric: '{p}'}}\n"),
            "e.yaml:6:21: error: run variable 'metric' must be an identifier starting with 'run_'\n");
  EXPECT_EQ(errors("    extract: {scope: {key: '{q}'}}\n"),
            "e.yaml:6:28: error: '{q}' in 'extract.scope.key' names no captured value (captured: p)\n");
  EXPECT_EQ(errors("    extract: {scope: {key: '{p}', end: yes}}\n"),
            "e.yaml:6:40: error: 'extract.scope.end' must be true or false\n");
  EXPECT_EQ(errors("    extract: {scope: '{p}', tags: {key: 'x{call}', value: '{run_any}'}}\n"), "");
}

}  // namespace
}  // namespace bpfpads
