#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "store/file_store_meta.h"
#include "store/md5.h"
#include "store/store.h"
#include "store_test_util.h"

namespace bpfpads {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::TempDir;

std::unique_ptr<Store> open_file_store(const fs::path& root) {
  auto s = open_store("file://" + root.string(), "/");
  EXPECT_TRUE(s);
  return std::move(*s);
}

TEST(StoreFile, RootWithDefaultExperiment) {
  TempDir dir;
  const fs::path root = dir.path() / "mlruns";
  auto store = open_file_store(root);
  EXPECT_FALSE(fs::exists(root));
  ASSERT_TRUE(store->check_writable());
  EXPECT_TRUE(fs::is_directory(root / ".trash"));
  EXPECT_EQ(slurp(root / "0" / "meta.yaml").find("experiment_id: '0'\n") != std::string::npos, true);
  auto meta = read_experiment_meta(root / "0" / "meta.yaml");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->name, "Default");
  EXPECT_EQ(meta->artifact_location, "file://" + (root / "0").string());
  EXPECT_EQ(*store->get_or_create_experiment("Default"), "0");
  EXPECT_EQ(store->describe(), "file://" + root.string());
}

TEST(StoreFile, ExperimentMetaYamlExact) {
  ExperimentMeta e{"123456789012345678", "my exp", "file:///r/123456789012345678", "active", 42};
  EXPECT_EQ(experiment_meta_yaml(e),
            "artifact_location: file:///r/123456789012345678\n"
            "creation_time: 42\n"
            "effective_trace_archival_retention: null\n"
            "experiment_id: '123456789012345678'\n"
            "last_update_time: 42\n"
            "lifecycle_stage: active\n"
            "name: 'my exp'\n"
            "trace_location: null\n"
            "workspace: default\n");
}

TEST(StoreFile, RunLayoutAndMetricLines) {
  TempDir dir;
  const fs::path root = dir.path() / "mlruns";
  auto store = open_file_store(root);
  auto exp = store->get_or_create_experiment("exp");
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->size(), 18u);
  EXPECT_EQ(*store->get_or_create_experiment("exp"), *exp);
  auto run = store->create_run(NewRun{*exp, "r1", "alice", 1000, {{"a/b", "c"}}});
  ASSERT_TRUE(run) << run.error().describe();
  const fs::path rd = root / *exp / run->run_id;
  EXPECT_EQ(run->artifact_uri, "file://" + (rd / "artifacts").string());
  for (const char* sub : {"metrics", "params", "tags", "artifacts"}) EXPECT_TRUE(fs::is_directory(rd / sub));
  EXPECT_EQ(slurp(rd / "tags" / "mlflow.runName"), "r1");
  EXPECT_EQ(slurp(rd / "tags" / "a" / "b"), "c");
  const std::string fresh = slurp(rd / "meta.yaml");
  EXPECT_NE(fresh.find("deleted_time: null\nend_time: null\nentry_point_name: ''\n"), std::string::npos) << fresh;
  EXPECT_NE(fresh.find("source_type: 4\n"), std::string::npos);
  EXPECT_NE(fresh.find("status: 1\ntags: []\nuser_id: alice\n"), std::string::npos);

  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Metric> m = {{"sys/cpu", 0.5, 10, 0}, {"sys/cpu", 1e-05, 11, 1}, {"sys/cpu", std::nan(""), 12, 2},
                           {"sys/cpu", inf, 13, 3}, {"sys/cpu", -inf, 14, 4},  {"sys/cpu", 3.0, 15, 5},
                           {"sys/cpu", 1e16, 16, 6},  {"sys/cpu", 1e16, 16, 6}};  // repeat written once
  std::vector<Param> p = {{"x/y", "1"}};
  ASSERT_TRUE(store->log_batch(run->run_id, m, p, {}));
  EXPECT_EQ(slurp(rd / "metrics" / "sys" / "cpu"),
            "10 0.5 0\n11 1e-05 1\n12 nan 2\n13 inf 3\n14 -inf 4\n15 3.0 5\n16 1e+16 6\n");
  EXPECT_EQ(slurp(rd / "params" / "x" / "y"), "1");
  std::vector<Param> again = {{"x/y", "1"}};
  EXPECT_TRUE(store->log_batch(run->run_id, {}, again, {}));
  std::vector<Param> changed = {{"x/y", "2"}};
  auto r = store->log_batch(run->run_id, {}, changed, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find("'x/y'"), std::string::npos);
  std::vector<Tag> bad = {{"/abs", "v"}};
  EXPECT_FALSE(store->log_batch(run->run_id, {}, {}, bad));

  // A fresh store (another process) finds the run by scanning and rewrites its meta.
  auto other = open_file_store(root);
  ASSERT_TRUE(other->update_run(run->run_id, RunStatus::Failed, 99));
  auto meta = read_run_meta(rd / "meta.yaml");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->status, 4);
  EXPECT_EQ(meta->end_time, 99);
  EXPECT_EQ(meta->run_name, "r1");
  EXPECT_EQ(slurp(rd / "meta.yaml").find("deleted_time"), std::string::npos);
  EXPECT_FALSE(other->update_run("00000000000000000000000000000000", RunStatus::Failed, 1));
}

TEST(StoreFile, InputsUseMlflowFolderIds) {
  TempDir dir;
  const fs::path root = dir.path() / "mlruns";
  auto store = open_file_store(root);
  auto exp = store->get_or_create_experiment("exp");
  auto run = store->create_run(NewRun{*exp, "r", "u", 1, {}});
  ASSERT_TRUE(run);
  DatasetInput d{"ds", "abcd1234", "local", R"({"uri": "/x"})", "", R"({"num_rows": 3})", "training"};
  std::vector<DatasetInput> ds = {d};
  ASSERT_TRUE(store->log_inputs(*run, ds));
  const std::string ds_id = md5_hex("dsabcd1234");
  EXPECT_EQ(slurp(root / *exp / "datasets" / ds_id / "meta.yaml"),
            "digest: abcd1234\nname: ds\nprofile: '{\"num_rows\": 3}'\nschema: null\n"
            "source: '{\"uri\": \"/x\"}'\nsource_type: local\n");
  EXPECT_EQ(slurp(root / *exp / run->run_id / "inputs" / md5_hex(ds_id + run->run_id) / "meta.yaml"),
            "destination_id: " + ds_id + "\ndestination_type: RUN\nsource_id: " + ds_id +
                "\nsource_type: DATASET\ntags:\n  mlflow.data.context: training\n");
}

TEST(StoreFile, DeletedExperimentInTrash) {
  TempDir dir;
  const fs::path root = dir.path() / "mlruns";
  auto store = open_file_store(root);
  auto exp = store->get_or_create_experiment("gone");
  ASSERT_TRUE(exp);
  fs::rename(root / *exp, root / ".trash" / *exp);
  auto again = store->get_or_create_experiment("gone");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("deleted"), std::string::npos);
}

}  // namespace
}  // namespace bpfpads
