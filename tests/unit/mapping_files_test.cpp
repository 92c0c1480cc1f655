// Whole mapping files: PyPads' documented examples, the spec's xgboost example and
// realistic native files must load; their entries are checked in detail.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "mapping/mapping_parser.h"

namespace bpfpads {
namespace {

std::string data_file(const std::string& name) { return std::string(BPFPADS_TEST_DATA_DIR) + "/mappings/" + name; }

std::string all_diagnostics(const MappingParseResult& r) {
  std::string text;
  for (const auto& d : r.diagnostics) text += d.format() + "\n";
  return text;
}

const MappingEntry* find_entry(const MappingFile& f, const std::string& path_text) {
  for (const auto& e : f.entries)
    if (e.path_text() == path_text) return &e;
  return nullptr;
}

std::vector<std::string> paths_of(const MappingFile& f) {
  std::vector<std::string> out;
  for (const auto& e : f.entries) out.push_back(e.path_text());
  return out;
}

MappingFile load_ok(const std::string& name) {
  auto r = parse_mapping_file(data_file(name));
  EXPECT_TRUE(r.file.has_value()) << all_diagnostics(r);
  if (!r.file) return {};
  for (const auto& d : r.diagnostics) EXPECT_NE(d.severity, Severity::Error) << d.format();
  return *r.file;
}

TEST(MappingFiles, PyPadsDocsSerializedMappingUsesEventsAlias) {
  MappingFile f = load_ok("pypads_docs_serialized.yaml");
  EXPECT_EQ(f.metadata.author, "Thomas Weißgerber");
  EXPECT_EQ(f.metadata.library.name, "test_foo");
  EXPECT_TRUE(f.metadata.library.version.satisfied_by("0.1"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].path_text(), "my_package.my_class.fit_function_to_track");
  EXPECT_EQ(f.entries[0].target.kind, Target::Kind::Python);
  EXPECT_EQ(f.entries[0].hooks, std::vector<std::string>{"pypads_fit"});
}

TEST(MappingFiles, PyPadsDocsSklearnExampleWithTags) {
  MappingFile f = load_ok("pypads_docs_sklearn_example.yaml");
  EXPECT_EQ(paths_of(f), (std::vector<std::string>{
                             "sklearn.base.BaseEstimator.__init__",
                             "sklearn.base.BaseEstimator.{re:(fit|.fit_predict|fit_transform)$}",
                             "sklearn.base.BaseEstimator.{re:(fit_predict|predict|score)$}",
                             "sklearn.base.BaseEstimator.{re:(fit_transform|transform)$}"}));
  const MappingEntry* fit = find_entry(f, "sklearn.base.BaseEstimator.{re:(fit|.fit_predict|fit_transform)$}");
  ASSERT_NE(fit, nullptr);
  EXPECT_EQ(fit->hooks, std::vector<std::string>{"pypads_fit"});
  // data accumulates downwards from BaseEstimator.
  EXPECT_EQ(fit->data["concepts"], nlohmann::json::array({"algorithm"}));
  ASSERT_EQ(fit->path.size(), 4u);
  EXPECT_EQ(fit->path[3].kind, Segment::Kind::Regex);
  EXPECT_TRUE(fit->path[3].matches("fit"));
  EXPECT_TRUE(fit->path[3].matches("fit_transform"));
  EXPECT_FALSE(fit->path[3].matches("fitting"));  // '$' anchors the end
  EXPECT_FALSE(fit->path[3].matches("refit"));   // re.match anchors the start
  EXPECT_EQ(f.metadata.library.name, "sklearn");
}

TEST(MappingFiles, PyPadsDocsKerasWithBareInitKey) {
  auto r = parse_mapping_file(data_file("pypads_docs_keras.yaml"));
  ASSERT_TRUE(r.file.has_value()) << all_diagnostics(r);
  EXPECT_EQ(paths_of(*r.file), (std::vector<std::string>{"keras.metrics.Metric",
                                                          "keras.engine.training.Model.__init__",
                                                          "keras.engine.training.Model.{re:(fit|fit_generator)$}",
                                                          "keras.engine.training.Model.predict_classes"}));
  // "__init__:" has no ':'; PyPads ignored it silently, bpfpads reads it and says so.
  ASSERT_EQ(r.diagnostics.size(), 1u) << all_diagnostics(r);
  EXPECT_EQ(r.diagnostics[0].format(),
            data_file("pypads_docs_keras.yaml") +
                ":16:5: warning: key '__init__' has no leading ':'; read as the path ':__init__'");
}

TEST(MappingFiles, PyPadsDocsSklearnFragments) {
  MappingFile f = load_ok("pypads_docs_sklearn_fragments.yaml");
  EXPECT_TRUE(f.metadata.library.version.satisfied_by("0.19.1"));
  EXPECT_TRUE(f.metadata.library.version.satisfied_by("1.3.2"));
  EXPECT_FALSE(f.metadata.library.version.satisfied_by("0.18"));
  // 4 fragment entries under each of the two estimators + the metrics regex.
  ASSERT_EQ(f.entries.size(), 9u);
  const MappingEntry* init = find_entry(f, "sklearn.base.BaseEstimator.__init__");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->hooks, std::vector<std::string>{"pypads_init"});
  EXPECT_EQ(init->data["concepts"], nlohmann::json::array({"algorithm"}));
  EXPECT_NE(find_entry(f, "sklearn.tree.tree.DecisionTreeClassifier.{re:(fit_transform|transform)$}"), nullptr);
  const MappingEntry* metric = find_entry(f, "sklearn.metrics.classification.{re:.*}");
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->hooks, std::vector<std::string>{"pypads_metric"});
}

TEST(MappingFiles, PyPadsDocsDecisionTreeData) {
  MappingFile f = load_ok("pypads_docs_sklearn_decision_tree.yaml");
  const MappingEntry* init = find_entry(f, "sklearn.tree.tree.DecisionTreeClassifier.__init__");
  ASSERT_NE(init, nullptr);
  const auto& params = init->data["hyper_parameters"]["model_parameters"];
  ASSERT_EQ(params.size(), 11u);
  EXPECT_EQ(params[0]["path"], "criterion");
  EXPECT_EQ(params[0]["optional"], "True");  // quoted: stays a string
  EXPECT_EQ(init->data["other_names"], nlohmann::json::array());
}

TEST(MappingFiles, PyPadsDocsSection34Snippets) {
  auto r = parse_mapping_file(data_file("pypads_docs_section_3_4_snippets.yaml"));
  ASSERT_TRUE(r.file.has_value()) << all_diagnostics(r);
  // The notation example puts 'events' inside 'data', so it hooks nothing: a warning.
  EXPECT_TRUE(r.file->entries.empty());
  const std::string text = all_diagnostics(r);
  EXPECT_NE(text.find("warning: key 'sklearn' has no leading ':'"), std::string::npos) << text;
  EXPECT_NE(text.find(":19:5: warning: path 'sklearn.metrics.classification.{re:.*}' has no hooks"),
            std::string::npos)
      << text;
}

TEST(MappingFiles, SpecXgboostExample) {
  MappingFile f = load_ok("spec_xgboost.yaml");
  ASSERT_EQ(f.entries.size(), 3u);
  const MappingEntry& set_param = f.entries[0];
  EXPECT_EQ(set_param.target.kind, Target::Kind::NativeLibrary);
  EXPECT_EQ(set_param.target.object, "libxgboost.so");
  EXPECT_EQ(set_param.path_text(), "{lib:libxgboost.so}.XGBoosterSetParam");
  ASSERT_TRUE(set_param.capture);
  ASSERT_EQ(set_param.capture->args.size(), 3u);
  EXPECT_EQ(set_param.capture->args[1].type.kind, CaptureKind::Str);
  EXPECT_EQ(set_param.capture->args[1].type.bound, kDefaultStringBound);
  ASSERT_TRUE(set_param.extract);
  ASSERT_EQ(set_param.extract->params.size(), 1u);
  EXPECT_EQ(set_param.extract->params[0].key.render({{"name", "eta"}, {"value", "0.3"}}).value(), "eta");

  const MappingEntry& update = f.entries[1];
  ASSERT_TRUE(update.extract && update.extract->step);
  EXPECT_EQ(update.extract->step->render({{"iteration", "7"}}).value(), "7");

  const MappingEntry& eval = f.entries[2];
  ASSERT_TRUE(eval.capture);
  EXPECT_TRUE(eval.capture->args[5].type.out);
  EXPECT_EQ(eval.capture->args[5].type.kind, CaptureKind::Str);
  ASSERT_EQ(eval.extract->metrics.size(), 1u);
  const MetricRule& m = eval.extract->metrics[0];
  ASSERT_TRUE(m.pattern);
  auto found = m.pattern->find_all("[3]\ttrain-rmse:0.51\teval-rmse:0.62");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]["name"], "train-rmse");
  EXPECT_EQ(found[0]["value"], "0.51");
  EXPECT_EQ(found[1]["name"], "eval-rmse");
}

TEST(MappingFiles, NativeLightgbm) {
  MappingFile f = load_ok("native_lightgbm.yaml");
  EXPECT_TRUE(f.metadata.library.version.satisfied_by("4.1.0"));
  EXPECT_FALSE(f.metadata.library.version.satisfied_by("5.0"));
  EXPECT_EQ(f.entries.size(), 8u);
  const MappingEntry* create = find_entry(f, "{lib:lib_lightgbm.so}.LGBM_BoosterCreate");
  ASSERT_NE(create, nullptr);  // from the fragment
  EXPECT_EQ(create->capture->args[1].type.bound, 1024u);
  const MappingEntry* dataset = find_entry(f, "{lib:lib_lightgbm.so}.LGBM_DatasetCreateFromFile");
  ASSERT_NE(dataset, nullptr);
  ASSERT_EQ(dataset->extract->inputs.size(), 1u);
  EXPECT_EQ(dataset->extract->tags.size(), 1u);
  ASSERT_TRUE(dataset->capture->returns);
  EXPECT_EQ(dataset->capture->returns->kind, CaptureKind::I32);
}

TEST(MappingFiles, NativeLibtorchAndUsdt) {
  MappingFile f = load_ok("native_libtorch_usdt.yaml");
  const MappingEntry* step = find_entry(f, "{lib:libtorch_cpu.so}.torch.optim.{re:(SGD|Adam|AdamW)$}.step");
  ASSERT_NE(step, nullptr);
  ASSERT_EQ(step->path.size(), 4u);  // torch :: optim :: Adam :: step
  EXPECT_EQ(step->data["concepts"], nlohmann::json::array({"optimizer"}));
  const MappingEntry* usdt = find_entry(f, "{exe:*/python3*}.{usdt:python}.function__entry");
  ASSERT_NE(usdt, nullptr);
  EXPECT_EQ(usdt->target.kind, Target::Kind::NativeExecutable);
  EXPECT_EQ(usdt->target.usdt_provider, "python");
  ASSERT_EQ(usdt->path.size(), 1u);
  EXPECT_EQ(usdt->path[0].text, "function__entry");
  const MappingEntry* fopen = find_entry(f, "{lib:libc.so}.{re:(fopen|fopen64)$}");
  ASSERT_NE(fopen, nullptr);
  EXPECT_EQ(fopen->import_hooks, std::vector<std::string>{"pypads_import"});
  EXPECT_EQ(fopen->extract->extractor, "file_open_dataset");
}

TEST(MappingFiles, UnreadableFileIsAnError) {
  auto r = parse_mapping_file(data_file("does_not_exist.yaml"));
  ASSERT_FALSE(r.file.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].format().find("cannot read mapping file: No such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace bpfpads
