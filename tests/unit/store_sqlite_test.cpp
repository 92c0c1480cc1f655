#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "store/mlflow_schema.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "store_test_util.h"

namespace bpfpads {
namespace {

using testing::TempDir;

// Reads one text/number cell with a fresh connection, as another process would.
std::string cell(const std::filesystem::path& db, const char* sql) {
  auto conn = SqliteDb::open(db);
  EXPECT_TRUE(conn);
  auto q = conn->query(sql);
  EXPECT_TRUE(q) << sql;
  auto row = q->step();
  EXPECT_TRUE(row && *row) << sql;
  return q->is_null(0) ? "NULL" : q->text(0);
}

void exec(const std::filesystem::path& db, const char* sql) {
  auto conn = SqliteDb::open(db);
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec(sql)) << sql;
}

struct Fixture {
  TempDir dir;
  std::filesystem::path db = dir.path() / "mlflow.db";
  std::unique_ptr<Store> store = [&] {
    auto s = open_store("sqlite:///" + db.string(), "/");
    EXPECT_TRUE(s);
    return std::move(*s);
  }();
  RunInfo new_run(const std::string& exp = "e") {
    auto id = store->get_or_create_experiment(exp);
    EXPECT_TRUE(id) << id.error().describe();
    auto run = store->create_run(NewRun{*id, "r", "bob", 1000, {{"k", "v"}}});
    EXPECT_TRUE(run) << run.error().describe();
    return *run;
  }
};

TEST(StoreSqlite, NewDbHasMlflowSchemaAndDefaultExperiment) {
  Fixture f;
  EXPECT_FALSE(std::filesystem::exists(f.db));  // opening alone creates nothing
  ASSERT_TRUE(f.store->check_writable());
  EXPECT_EQ(cell(f.db, "SELECT version_num FROM alembic_version"), mlflow_schema::alembic_revision());
  EXPECT_EQ(cell(f.db, "SELECT name || '|' || artifact_location || '|' || lifecycle_stage || '|' || workspace "
                       "FROM experiments WHERE experiment_id = 0"),
            "Default|" + (f.dir.path() / "mlruns" / "0").string() + "|active|default");
  EXPECT_EQ(cell(f.db, "SELECT name FROM workspaces"), "default");
  EXPECT_EQ(cell(f.db, "PRAGMA journal_mode"), "delete");
  EXPECT_EQ(f.store->describe(), "sqlite:///" + f.db.string());
}

TEST(StoreSqlite, ExperimentsByName) {
  Fixture f;
  EXPECT_EQ(*f.store->get_or_create_experiment("Default"), "0");
  EXPECT_EQ(*f.store->get_or_create_experiment("a"), "1");
  EXPECT_EQ(*f.store->get_or_create_experiment("b"), "2");
  EXPECT_EQ(*f.store->get_or_create_experiment("a"), "1");
  EXPECT_EQ(cell(f.db, "SELECT artifact_location FROM experiments WHERE experiment_id = 2"),
            (f.dir.path() / "mlruns" / "2").string());
  EXPECT_FALSE(f.store->get_or_create_experiment(""));
  exec(f.db, "UPDATE experiments SET lifecycle_stage = 'deleted' WHERE name = 'b'");
  auto deleted = f.store->get_or_create_experiment("b");
  ASSERT_FALSE(deleted);
  EXPECT_NE(deleted.error().message.find("deleted"), std::string::npos);
}

TEST(StoreSqlite, CreateRunAsMlflow) {
  Fixture f;
  RunInfo run = f.new_run();
  EXPECT_EQ(run.run_id.size(), 32u);
  EXPECT_EQ(run.artifact_uri, (f.dir.path() / "mlruns" / "1" / run.run_id / "artifacts").string());
  const std::string where = " FROM runs WHERE run_uuid = '" + run.run_id + "'";
  EXPECT_EQ(cell(f.db, ("SELECT name || source_type || status || user_id || lifecycle_stage" + where).c_str()),
            "rUNKNOWNRUNNINGbobactive");
  EXPECT_EQ(cell(f.db, ("SELECT end_time" + where).c_str()), "NULL");
  EXPECT_EQ(cell(f.db, "SELECT value FROM tags WHERE key = 'mlflow.runName'"), "r");
  EXPECT_EQ(cell(f.db, "SELECT value FROM tags WHERE key = 'k'"), "v");
  EXPECT_FALSE(f.store->create_run(NewRun{"99", "r", "bob", 1, {}}));
  EXPECT_FALSE(f.store->create_run(NewRun{"abc", "r", "bob", 1, {}}));
  // No name given: a generated one, mirrored in the tag.
  auto anon = f.store->create_run(NewRun{"1", "", "", 1, {}});
  ASSERT_TRUE(anon);
  EXPECT_FALSE(anon->run_name.empty());
  EXPECT_EQ(anon->user_id, "unknown");
}

TEST(StoreSqlite, MetricsLatestAndSpecialValues) {
  Fixture f;
  RunInfo run = f.new_run();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Metric> m = {{"m", 1.0, 10, 2}, {"m", 5.0, 20, 1},  {"m", 2.0, 5, 2},
                           {"n", std::nan(""), 1, 0}, {"i", inf, 1, 0}, {"j", -inf, 1, 0},
                           {"m", 1.0, 10, 2}};
  ASSERT_TRUE(f.store->log_batch(run.run_id, m, {}, {}));
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM metrics WHERE key = 'm'"), "3");  // duplicate ignored
  // Largest (step, timestamp, value): step 2 ts 10 beats step 2 ts 5 and step 1 ts 20.
  EXPECT_EQ(cell(f.db, "SELECT value || '@' || step || '@' || timestamp FROM latest_metrics WHERE key = 'm'"),
            "1.0@2@10");
  EXPECT_EQ(cell(f.db, "SELECT value || ',' || is_nan FROM metrics WHERE key = 'n'"), "0.0,1");
  EXPECT_EQ(cell(f.db, "SELECT value = 1.7976931348623157e308 FROM metrics WHERE key = 'i'"), "1");
  EXPECT_EQ(cell(f.db, "SELECT value = -1.7976931348623157e308 FROM latest_metrics WHERE key = 'j'"), "1");
  EXPECT_EQ(cell(f.db, "SELECT is_nan FROM latest_metrics WHERE key = 'n'"), "1");
  std::vector<Metric> later = {{"m", -3.0, 1, 3}};
  ASSERT_TRUE(f.store->log_batch(run.run_id, later, {}, {}));
  EXPECT_EQ(cell(f.db, "SELECT value FROM latest_metrics WHERE key = 'm'"), "-3.0");
  std::vector<Metric> bad = {{"ok", 1, 1, 0}, {"bad//key", 1, 1, 0}};
  auto r = f.store->log_batch(run.run_id, bad, {}, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bad//key"), std::string::npos);
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM metrics WHERE key = 'ok'"), "0");  // nothing of the batch
  std::vector<Metric> neg = {{"t", 1, -1, 0}};
  EXPECT_FALSE(f.store->log_batch(run.run_id, neg, {}, {}));
}

TEST(StoreSqlite, ParamsImmutableTagsOverwrite) {
  Fixture f;
  RunInfo run = f.new_run();
  std::vector<Param> p = {{"lr", "0.1"}, {"long", std::string(7000, 'x')}};
  std::vector<Tag> t = {{"t", "1"}};
  ASSERT_TRUE(f.store->log_batch(run.run_id, {}, p, t));
  EXPECT_EQ(cell(f.db, "SELECT length(value) FROM params WHERE key = 'long'"), "6000");
  std::vector<Param> same = {{"lr", "0.1"}};
  EXPECT_TRUE(f.store->log_batch(run.run_id, {}, same, {}));
  std::vector<Param> diff = {{"lr", "0.2"}};
  std::vector<Metric> m = {{"x", 1, 1, 0}};
  auto r = f.store->log_batch(run.run_id, m, diff, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find("'lr'"), std::string::npos) << r.error().describe();
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM metrics"), "0");  // the batch was rolled back
  std::vector<Tag> t2 = {{"t", "2"}, {"mlflow.runName", "renamed"}};
  ASSERT_TRUE(f.store->log_batch(run.run_id, {}, {}, t2));
  EXPECT_EQ(cell(f.db, "SELECT value FROM tags WHERE key = 't'"), "2");
  EXPECT_EQ(cell(f.db, "SELECT name FROM runs"), "renamed");
  EXPECT_FALSE(f.store->log_batch("0123456789abcdef0123456789abcdef", {}, same, {}));
}

TEST(StoreSqlite, DatasetsDedupedPerExperiment) {
  Fixture f;
  RunInfo a = f.new_run(), b = f.new_run();
  DatasetInput d{"train", "abcd1234", "local", R"({"uri": "/x"})", "", "", "training"};
  std::vector<DatasetInput> ds = {d, d};
  ASSERT_TRUE(f.store->log_inputs(a, ds));
  ASSERT_TRUE(f.store->log_inputs(a, ds));
  ASSERT_TRUE(f.store->log_inputs(b, ds));
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM datasets"), "1");
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM inputs WHERE source_type = 'DATASET' AND destination_type = 'RUN'"), "2");
  EXPECT_EQ(cell(f.db, "SELECT count(*) FROM input_tags WHERE name = 'mlflow.data.context' AND value = 'training'"), "2");
  EXPECT_EQ(cell(f.db, "SELECT dataset_schema FROM datasets"), "NULL");
  DatasetInput long_digest = d;
  long_digest.digest = std::string(37, 'a');
  std::vector<DatasetInput> bad = {long_digest};
  EXPECT_FALSE(f.store->log_inputs(a, bad));
}

TEST(StoreSqlite, UpdateRunAndArtifacts) {
  Fixture f;
  RunInfo run = f.new_run();
  ASSERT_TRUE(f.store->update_run(run.run_id, RunStatus::Killed, 1234));
  EXPECT_EQ(cell(f.db, "SELECT status || end_time FROM runs"), "KILLED1234");
  EXPECT_FALSE(f.store->update_run("ffffffffffffffffffffffffffffffff", RunStatus::Finished, 1));
  ASSERT_TRUE(f.store->log_artifact(run, "a/b.txt", "hi"));
  EXPECT_EQ(testing::slurp(std::filesystem::path(run.artifact_uri) / "a" / "b.txt"), "hi");
  EXPECT_FALSE(f.store->log_artifact(run, "../escape", "x"));
  EXPECT_FALSE(f.store->log_artifact(run, "/abs", "x"));
  const auto src = f.dir.path() / "src.bin";
  { std::ofstream(src) << "data"; }
  ASSERT_TRUE(f.store->log_artifact_file(run, "d", src));
  EXPECT_EQ(testing::slurp(std::filesystem::path(run.artifact_uri) / "d" / "src.bin"), "data");
}

TEST(StoreSqlite, OtherRevisionAppendsWhenColumnsExist) {
  Fixture f;
  RunInfo run = f.new_run();
  f.store.reset();
  exec(f.db, "UPDATE alembic_version SET version_num = 'abcdef012345'");
  {
    auto s = open_store("sqlite:///" + f.db.string(), "/");
    ASSERT_TRUE(s);
    std::vector<Metric> m = {{"x", 1, 1, 0}};
    auto ok = (*s)->log_batch(run.run_id, m, {}, {});
    EXPECT_TRUE(ok) << ok.error().describe();
  }
  exec(f.db, "ALTER TABLE runs DROP COLUMN deleted_time");
  auto s = open_store("sqlite:///" + f.db.string(), "/");
  ASSERT_TRUE(s);
  auto r = (*s)->check_writable();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("runs.deleted_time"), std::string::npos) << r.error().describe();
  EXPECT_NE(r.error().message.find("mlflow db upgrade"), std::string::npos);
}

TEST(StoreSqlite, ClearErrorsForBadLocations) {
  TempDir dir;
  auto missing = open_store("sqlite:///" + (dir.path() / "nope" / "x.db").string(), "/");
  ASSERT_TRUE(missing);
  auto r = (*missing)->check_writable();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().describe().find((dir.path() / "nope").string()), std::string::npos);

  const auto other = dir.path() / "other.db";
  exec(other, "CREATE TABLE t (x)");
  auto foreign = open_store("sqlite:///" + other.string(), "/");
  ASSERT_TRUE(foreign);
  auto e = (*foreign)->check_writable();
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().describe().find("not an MLflow"), std::string::npos) << e.error().describe();
}

}  // namespace
}  // namespace bpfpads
