#include "store/sqlite_store.h"

#include <fcntl.h>

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include "store/artifacts.h"
#include "store/key_validation.h"
#include "store/new_run.h"
#include "store/random_id.h"

namespace bpfpads {
namespace fs = std::filesystem;

namespace {

Result<int64_t> parse_experiment_id(const std::string& id) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  if (ec != std::errc() || end != id.data() + id.size() || id.empty() || v < 0)
    return make_error("experiment id '" + id + "' is not an integer, as the SQLite store requires");
  return v;
}

// MLflow's append_to_uri_path for local paths: join with exactly one '/'.
std::string join_uri(std::string base, const std::string& part) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + part;
}

// SqlAlchemyStore.sanitize_metric_value: NaN is stored as 0 with is_nan set; infinities as
// the largest finite double, since SQL FLOAT columns reject them.
std::pair<bool, double> sanitize(double v) {
  if (std::isnan(v)) return {true, 0.0};
  if (std::isinf(v)) return {false, v > 0 ? std::numeric_limits<double>::max()
                                          : -std::numeric_limits<double>::max()};
  return {false, v};
}

Result<> fail(const Error& e, const std::string& outer) { return std::unexpected(e.with_context(outer)); }

}  // namespace

SqliteStore::SqliteStore(fs::path db_path)
    : db_path_(std::move(db_path)), artifact_root_(db_path_.parent_path() / "mlruns") {}

std::string SqliteStore::describe() const { return "sqlite:///" + db_path_.string(); }

Result<SqliteDb*> SqliteStore::db() {
  if (db_) return &*db_;
  const fs::path dir = db_path_.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error("directory of the MLflow database does not exist; create it or choose "
                      "another tracking URI", dir.string());
  // A device or a folder is no database: SQLite would write its journal beside it
  // (sqlite:////dev/null left a world-writable /dev/null-journal).
  if (fs::exists(db_path_, ec) && !fs::is_regular_file(db_path_, ec))
    return make_error("is not a regular file; the MLflow database must be a file (or a path where one can be "
                      "created)",
                      db_path_.string());
  auto db = SqliteDb::open(db_path_);
  if (!db) return std::unexpected(db.error());
  auto info = prepare_mlflow_db(*db, artifact_root_);
  if (!info) return std::unexpected(info.error());
  info_ = *info;
  db_.emplace(std::move(*db));
  return &*db_;
}

Result<> SqliteStore::check_writable() {
  const fs::path dir = db_path_.parent_path();
  // SQLite writes a journal next to the DB, and artifacts go to <dir>/mlruns.
  // AT_EACCESS: checked as the identity that will write (the sudo caller's fsuid).
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0 && errno != ENOENT)
    return make_errno_error("cannot write in the directory of the MLflow database; make it "
                            "writable or choose another tracking URI", errno, dir.string());
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  std::error_code ec;
  if (fs::exists(artifact_root_, ec) && ::faccessat(AT_FDCWD, artifact_root_.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    return make_errno_error("artifact directory is not writable; fix its permissions",
                            errno, artifact_root_.string());
  // Taking and releasing the write lock proves the file is writable and not held forever.
  auto txn = WriteTxn::begin(**db);
  if (!txn) return fail(txn.error(), "MLflow database is not writable");
  return txn->commit();
}

Result<std::optional<int64_t>> SqliteStore::find_experiment(SqliteDb& db, const std::string& name,
                                                           bool& deleted) {
  auto q = info_.has_workspace
               ? db.query("SELECT experiment_id, lifecycle_stage FROM experiments "
                          "WHERE name = ? AND workspace = 'default'")
               : db.query("SELECT experiment_id, lifecycle_stage FROM experiments WHERE name = ?");
  if (!q) return std::unexpected(q.error());
  auto row = q->bind(1, std::string_view(name)).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<int64_t>();
  deleted = q->text(1) == "deleted";
  return std::optional<int64_t>(q->int64(0));
}

Result<int64_t> SqliteStore::insert_experiment(SqliteDb& db, const std::string& name,
                                               bool as_default) {
  const int64_t now = now_ms();
  // experiment_id is INTEGER PRIMARY KEY: SQLite assigns max+1, as MLflow's autoincrement.
  // "Default" takes id 0 when it is free, as SqlAlchemyStore creates it.
  auto ins = as_default
      ? (info_.has_workspace
             ? db.query("INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, "
                        "last_update_time, workspace) VALUES (0, ?, 'active', ?, ?, 'default')")
             : db.query("INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, "
                        "last_update_time) VALUES (0, ?, 'active', ?, ?)"))
      : (info_.has_workspace
             ? db.query("INSERT INTO experiments (name, lifecycle_stage, creation_time, "
                        "last_update_time, workspace) VALUES (?, 'active', ?, ?, 'default')")
             : db.query("INSERT INTO experiments (name, lifecycle_stage, creation_time, "
                        "last_update_time) VALUES (?, 'active', ?, ?)"));
  if (!ins) return std::unexpected(ins.error());
  if (auto r = ins->bind(1, std::string_view(name)).bind(2, now).bind(3, now).run(); !r)
    return std::unexpected(r.error());
  const int64_t id = db.last_insert_rowid();
  auto upd = db.query("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?");
  if (!upd) return std::unexpected(upd.error());
  if (auto r = upd->bind(1, (artifact_root_ / std::to_string(id)).string()).bind(2, id).run(); !r)
    return std::unexpected(r.error());
  return id;
}

Result<std::string> SqliteStore::get_or_create_experiment(const std::string& name) {
  if (auto r = validate_experiment_name(name); !r) return std::unexpected(r.error());
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto txn = WriteTxn::begin(**db);
  if (!txn) return std::unexpected(txn.error());
  bool deleted = false;
  auto found = find_experiment(**db, name, deleted);
  if (!found) return std::unexpected(found.error());
  if (*found) {
    if (deleted)
      return make_error("experiment '" + name + "' is deleted; restore it (mlflow experiments "
                        "restore --experiment-id " + std::to_string(**found) + ") or use another name",
                        describe());
    return std::to_string(**found);
  }
  bool as_default = false;
  if (name == "Default") {
    auto q = (*db)->query("SELECT 1 FROM experiments WHERE experiment_id = 0");
    if (!q) return std::unexpected(q.error());
    auto row = q->step();
    if (!row) return std::unexpected(row.error());
    as_default = !*row;
  }
  auto id = insert_experiment(**db, name, as_default);
  if (!id) return std::unexpected(id.error().with_context("creating experiment '" + name + "'"));
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return std::to_string(*id);
}

Result<RunInfo> SqliteStore::create_run(const NewRun& run) {
  auto exp_id = parse_experiment_id(run.experiment_id);
  if (!exp_id) return std::unexpected(exp_id.error());
  auto prepared = prepare_new_run(run);
  if (!prepared) return std::unexpected(prepared.error());
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto txn = WriteTxn::begin(**db);
  if (!txn) return std::unexpected(txn.error());

  auto exp = (*db)->query("SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?");
  if (!exp) return std::unexpected(exp.error());
  auto row = exp->bind(1, *exp_id).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return make_error("experiment " + run.experiment_id + " does not exist", describe());
  if (exp->text(1) != "active")
    return make_error("experiment " + run.experiment_id + " is deleted; cannot create a run in it", describe());
  const std::string location = exp->is_null(0) ? (artifact_root_ / run.experiment_id).string() : exp->text(0);

  RunInfo info;
  info.run_id = prepared->run_id;
  info.experiment_id = run.experiment_id;
  info.run_name = prepared->run_name;
  info.user_id = prepared->user_id;
  info.start_time_ms = prepared->start_time_ms;
  info.artifact_uri = join_uri(join_uri(location, info.run_id), "artifacts");

  // Columns as SqlAlchemyStore.create_run fills them.
  auto ins = (*db)->query(
      "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, "
      "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, "
      "deleted_time) VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)");
  if (!ins) return std::unexpected(ins.error());
  if (auto r = ins->bind(1, std::string_view(info.run_id)).bind(2, std::string_view(info.run_name))
                   .bind(3, std::string_view(info.user_id)).bind(4, info.start_time_ms)
                   .bind(5, std::string_view(info.artifact_uri)).bind(6, *exp_id).run();
      !r)
    return std::unexpected(r.error().with_context("creating run"));
  for (const auto& t : prepared->tags)
    if (auto r = write_tag(**db, info.run_id, t.key, t.value); !r) return std::unexpected(r.error());
  if (auto r = txn->commit(); !r) return std::unexpected(r.error());
  return info;
}

Result<int64_t> SqliteStore::active_run_experiment(SqliteDb& db, const std::string& run_id) {
  auto q = db.query("SELECT experiment_id, lifecycle_stage FROM runs WHERE run_uuid = ?");
  if (!q) return std::unexpected(q.error());
  auto row = q->bind(1, std::string_view(run_id)).step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return make_error("run " + run_id + " does not exist", describe());
  if (q->text(1) != "active") return make_error("run " + run_id + " is deleted", describe());
  return q->int64(0);
}

Result<> SqliteStore::write_param(SqliteDb& db, const std::string& run_id, const Param& p) {
  const std::string value = truncate_param_value(p.key, p.value);
  auto sel = db.query("SELECT value FROM params WHERE run_uuid = ? AND key = ?");
  if (!sel) return std::unexpected(sel.error());
  auto row = sel->bind(1, std::string_view(run_id)).bind(2, std::string_view(p.key)).step();
  if (!row) return std::unexpected(row.error());
  if (*row) {
    if (sel->text(0) == value) return {};  // logging the same value again is a no-op
    return make_error("param '" + p.key + "' was already logged with value '" + sel->text(0) +
                      "'; params cannot change (new value '" + value + "')", "run " + run_id);
  }
  auto ins = db.query("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)");
  if (!ins) return std::unexpected(ins.error());
  return ins->bind(1, std::string_view(p.key)).bind(2, std::string_view(value))
      .bind(3, std::string_view(run_id)).run();
}

Result<> SqliteStore::write_metric(SqliteDb& db, const std::string& run_id, const Metric& m) {
  const auto [is_nan, value] = sanitize(m.value);
  // The primary key covers every column: the same point twice is ignored, as MLflow does.
  auto ins = db.query("INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return std::unexpected(ins.error());
  if (auto r = ins->bind(1, std::string_view(m.key)).bind(2, value).bind(3, m.timestamp_ms)
                   .bind(4, std::string_view(run_id)).bind(5, m.step).bind(6, int64_t{is_nan}).run();
      !r)
    return r;
  if (db.changes() == 0) return {};

  // latest_metrics holds the point with the largest (step, timestamp, value); search_runs
  // and the runs table read it, so the writer must keep it current.
  auto sel = db.query("SELECT step, timestamp, value FROM latest_metrics WHERE run_uuid = ? AND key = ?");
  if (!sel) return std::unexpected(sel.error());
  auto row = sel->bind(1, std::string_view(run_id)).bind(2, std::string_view(m.key)).step();
  if (!row) return std::unexpected(row.error());
  if (*row && std::tuple(m.step, m.timestamp_ms, value) <= std::tuple(sel->int64(0), sel->int64(1), sel->real(2)))
    return {};
  auto up = db.query("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET "
                     "value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, "
                     "is_nan = excluded.is_nan");
  if (!up) return std::unexpected(up.error());
  return up->bind(1, std::string_view(m.key)).bind(2, value).bind(3, m.timestamp_ms).bind(4, m.step)
      .bind(5, int64_t{is_nan}).bind(6, std::string_view(run_id)).run();
}

Result<> SqliteStore::write_tag(SqliteDb& db, const std::string& run_id, const std::string& key,
                                const std::string& value) {
  auto up = db.query("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) "
                     "ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value");
  if (!up) return std::unexpected(up.error());
  if (auto r = up->bind(1, std::string_view(key)).bind(2, std::string_view(value))
                   .bind(3, std::string_view(run_id)).run();
      !r)
    return r;
  if (key != kRunNameTag) return {};
  // MLflow keeps runs.name and the mlflow.runName tag in step (set_tag -> update_run_info).
  auto ren = db.query("UPDATE runs SET name = ? WHERE run_uuid = ?");
  if (!ren) return std::unexpected(ren.error());
  return ren->bind(1, std::string_view(value)).bind(2, std::string_view(run_id)).run();
}

Result<> SqliteStore::log_batch(const std::string& run_id, std::span<const Metric> metrics,
                                std::span<const Param> params, std::span<const Tag> tags) {
  if (auto r = validate_batch(metrics, params, tags); !r) return r;
  if (metrics.empty() && params.empty() && tags.empty()) return {};
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto txn = WriteTxn::begin(**db);
  if (!txn) return std::unexpected(txn.error());
  if (auto exp = active_run_experiment(**db, run_id); !exp) return std::unexpected(exp.error());
  // MLflow's order: params (which may fail), metrics, tags. One transaction per batch, so a
  // rejected param leaves nothing of the batch behind, and each batch is durable on return.
  for (const auto& p : params)
    if (auto r = write_param(**db, run_id, p); !r) return r;
  for (const auto& m : metrics)
    if (auto r = write_metric(**db, run_id, m); !r) return fail(r.error(), "metric '" + m.key + "'");
  for (const auto& t : tags)
    if (auto r = write_tag(**db, run_id, t.key, truncate_tag_value(t.key, t.value)); !r)
      return fail(r.error(), "tag '" + t.key + "'");
  return txn->commit();
}

Result<> SqliteStore::write_input(SqliteDb& db, int64_t experiment_id, const std::string& run_id,
                                  const DatasetInput& in) {
  // A dataset is shared by every run of the experiment that logs the same (name, digest).
  std::string dataset_uuid;
  auto sel = db.query("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?");
  if (!sel) return std::unexpected(sel.error());
  auto row = sel->bind(1, experiment_id).bind(2, std::string_view(in.name)).bind(3, std::string_view(in.digest)).step();
  if (!row) return std::unexpected(row.error());
  if (*row) {
    dataset_uuid = sel->text(0);
  } else {
    auto id = uuid4_hex();
    if (!id) return std::unexpected(id.error());
    dataset_uuid = *id;
    auto ins = db.query("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, "
                        "dataset_source_type, dataset_source, dataset_schema, dataset_profile) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
    if (auto r = ins->bind(1, std::string_view(dataset_uuid)).bind(2, experiment_id)
                     .bind(3, std::string_view(in.name)).bind(4, std::string_view(in.digest))
                     .bind(5, std::string_view(in.source_type)).bind(6, std::string_view(in.source))
                     .bind_opt(7, opt(in.schema)).bind_opt(8, opt(in.profile)).run();
        !r)
      return r;
  }

  auto have = db.query("SELECT 1 FROM inputs WHERE source_type = 'DATASET' AND source_id = ? "
                       "AND destination_type = 'RUN' AND destination_id = ?");
  if (!have) return std::unexpected(have.error());
  auto exists = have->bind(1, std::string_view(dataset_uuid)).bind(2, std::string_view(run_id)).step();
  if (!exists) return std::unexpected(exists.error());
  if (*exists) return {};  // this run already lists the dataset

  auto input_uuid = uuid4_hex();
  if (!input_uuid) return std::unexpected(input_uuid.error());
  auto ins = db.query("INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, "
                      "destination_id) VALUES (?, 'DATASET', ?, 'RUN', ?)");
  if (!ins) return std::unexpected(ins.error());
  if (auto r = ins->bind(1, std::string_view(*input_uuid)).bind(2, std::string_view(dataset_uuid))
                   .bind(3, std::string_view(run_id)).run();
      !r)
    return r;
  if (in.context.empty()) return {};
  auto tag = db.query("INSERT INTO input_tags (input_uuid, name, value) VALUES (?, 'mlflow.data.context', ?)");
  if (!tag) return std::unexpected(tag.error());
  return tag->bind(1, std::string_view(*input_uuid)).bind(2, std::string_view(in.context)).run();
}

Result<> SqliteStore::log_inputs(const RunInfo& run, std::span<const DatasetInput> datasets) {
  for (const auto& d : datasets)
    if (auto r = validate_dataset(d); !r) return r;
  if (datasets.empty()) return {};
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto txn = WriteTxn::begin(**db);
  if (!txn) return std::unexpected(txn.error());
  auto exp = active_run_experiment(**db, run.run_id);
  if (!exp) return std::unexpected(exp.error());
  std::set<std::pair<std::string, std::string>> seen;  // first of a repeated (name, digest) wins
  for (const auto& d : datasets) {
    if (!seen.emplace(d.name, d.digest).second) continue;
    if (auto r = write_input(**db, *exp, run.run_id, d); !r) return fail(r.error(), "dataset '" + d.name + "'");
  }
  return txn->commit();
}

Result<> SqliteStore::log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) {
  return write_artifact(run.artifact_uri, rel_path, bytes);
}

Result<> SqliteStore::log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                                        const fs::path& local_file) {
  return copy_artifact_file(run.artifact_uri, rel_dir, local_file);
}

Result<> SqliteStore::update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) {
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto upd = (*db)->query("UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?");
  if (!upd) return std::unexpected(upd.error());
  // A single UPDATE is its own transaction; no BEGIN needed.
  if (auto r = upd->bind(1, std::string_view(run_status_name(status))).bind(2, end_time_ms)
                   .bind(3, std::string_view(run_id)).run();
      !r)
    return r;
  if ((*db)->changes() == 0) return make_error("run " + run_id + " does not exist", describe());
  return {};
}

Result<std::vector<Store::OpenRun>> SqliteStore::open_runs_tagged(const std::string& key) {
  auto db = this->db();
  if (!db) return std::unexpected(db.error());
  auto q = (*db)->query(
      "SELECT runs.run_uuid, tags.value FROM runs JOIN tags ON tags.run_uuid = runs.run_uuid "
      "WHERE runs.status = 'RUNNING' AND runs.lifecycle_stage = 'active' AND tags.key = ?");
  if (!q) return std::unexpected(q.error());
  q->bind(1, std::string_view(key));
  std::vector<OpenRun> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({q->text(0), q->text(1)});
  }
}

}  // namespace bpfpads
