#include "store/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "common/log.h"
#include "store/artifacts.h"
#include "store/key_validation.h"
#include "store/md5.h"
#include "store/new_run.h"
#include "store/py_float.h"
#include "store/random_id.h"
#include "store/uri.h"

namespace bpfpads {
namespace fs = std::filesystem;

namespace {

constexpr const char kMeta[] = "meta.yaml";
constexpr const char kTrash[] = ".trash";

// Folders at the root that are not experiments.
bool is_experiment_dir(const fs::directory_entry& e) {
  const std::string name = e.path().filename().string();
  std::error_code ec;
  return e.is_directory(ec) && name != kTrash && name != "models";
}

Result<std::optional<std::string>> read_small_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_errno_error("cannot read", errno, path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Result<> mkdirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_errno_error("cannot create directory", ec.value(), dir.string());
  return {};
}

}  // namespace

FileStore::FileStore(fs::path root) : root_(std::move(root)) {}

std::string FileStore::describe() const { return path_to_file_uri(root_); }

Result<> FileStore::create_experiment(const std::string& id, const std::string& name) {
  const fs::path dir = root_ / id;
  std::error_code ec;
  // create_directory is false when it exists: the id is taken (or we raced), so try another.
  if (!fs::create_directory(dir, ec)) {
    if (ec) return make_errno_error("cannot create experiment directory", ec.value(), dir.string());
    return make_error("experiment directory already exists", dir.string());
  }
  ExperimentMeta e;
  e.experiment_id = id;
  e.name = name;
  e.artifact_location = path_to_file_uri(dir);
  e.creation_time = now_ms();
  return write_file_atomic(dir / kMeta, experiment_meta_yaml(e));
}

Result<> FileStore::ensure_root() {
  std::error_code ec;
  if (!fs::exists(root_, ec)) {
    if (auto r = mkdirs(root_); !r) return r;
    if (auto r = create_experiment("0", "Default"); !r) return r;
  }
  if (!fs::is_directory(root_, ec))
    return make_error("file store root is not a directory; choose another tracking URI", root_.string());
  if (!fs::exists(root_ / kTrash, ec)) return mkdirs(root_ / kTrash);
  return {};
}

Result<> FileStore::check_writable() {
  if (auto r = ensure_root(); !r)
    return std::unexpected(r.error().with_context("file store is not writable (fix the permissions "
                                                  "or choose another tracking URI)"));
  if (::access(root_.c_str(), W_OK | X_OK) != 0)
    return make_errno_error("file store root is not writable; fix its permissions or choose "
                            "another tracking URI", errno, root_.string());
  return {};
}

Result<std::optional<ExperimentMeta>> FileStore::find_experiment(const std::string& name) {
  for (const fs::path& dir : {root_, root_ / kTrash}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!is_experiment_dir(entry) || !fs::exists(entry.path() / kMeta, ec)) continue;
      auto meta = read_experiment_meta(entry.path() / kMeta);
      if (!meta) {
        log::debug("skipping malformed experiment: " + meta.error().describe());
        continue;
      }
      if (meta->name != name || meta->experiment_id != entry.path().filename().string()) continue;
      if (dir != root_) meta->lifecycle_stage = "deleted";
      return std::optional<ExperimentMeta>(*meta);
    }
  }
  return std::optional<ExperimentMeta>();
}

Result<std::string> FileStore::get_or_create_experiment(const std::string& name) {
  if (auto r = validate_experiment_name(name); !r) return std::unexpected(r.error());
  if (auto r = ensure_root(); !r) return std::unexpected(r.error());
  auto found = find_experiment(name);
  if (!found) return std::unexpected(found.error());
  if (*found) {
    if ((*found)->lifecycle_stage != "active")
      return make_error("experiment '" + name + "' is deleted; restore it (mlflow experiments "
                        "restore --experiment-id " + (*found)->experiment_id + ") or use another name",
                        describe());
    return (*found)->experiment_id;
  }
  std::error_code ec;
  if (name == "Default" && !fs::exists(root_ / "0", ec)) {
    if (auto r = create_experiment("0", name); !r) return std::unexpected(r.error());
    return std::string("0");
  }
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto id = random_experiment_id();
    if (!id) return std::unexpected(id.error());
    if (fs::exists(root_ / *id, ec)) continue;
    if (auto r = create_experiment(*id, name); r) return *id;
    else if (fs::exists(root_ / *id / kMeta, ec)) continue;  // lost a race for this id
    else return std::unexpected(r.error());
  }
  return make_error("could not pick a free experiment id", root_.string());
}

fs::path FileStore::run_dir(const RunMeta& run) const { return root_ / run.experiment_id / run.run_id; }

Result<RunInfo> FileStore::create_run(const NewRun& run) {
  if (auto r = ensure_root(); !r) return std::unexpected(r.error());
  const fs::path exp_meta_path = root_ / run.experiment_id / kMeta;
  std::error_code ec;
  if (run.experiment_id.empty() || run.experiment_id.find('/') != std::string::npos ||
      !fs::exists(exp_meta_path, ec))
    return make_error("experiment " + run.experiment_id + " does not exist", describe());
  auto exp = read_experiment_meta(exp_meta_path);
  if (!exp) return std::unexpected(exp.error());
  if (exp->lifecycle_stage != "active")
    return make_error("experiment " + run.experiment_id + " is deleted; cannot create a run in it", describe());
  auto prepared = prepare_new_run(run);
  if (!prepared) return std::unexpected(prepared.error());

  RunMeta meta;
  meta.run_id = prepared->run_id;
  meta.experiment_id = run.experiment_id;
  meta.run_name = prepared->run_name;
  meta.user_id = prepared->user_id;
  meta.start_time = prepared->start_time_ms;
  std::string base = exp->artifact_location;
  while (!base.empty() && base.back() == '/') base.pop_back();
  meta.artifact_uri = base + "/" + meta.run_id + "/artifacts";

  const fs::path dir = run_dir(meta);
  // MLflow's get_run treats a run folder without metrics/, params/ or artifacts/ as missing.
  for (const char* sub : {"metrics", "params", "tags", "artifacts"})
    if (auto r = mkdirs(dir / sub); !r) return std::unexpected(r.error());
  if (auto r = write_file_atomic(dir / kMeta, run_meta_yaml(meta, /*fresh=*/true)); !r)
    return std::unexpected(r.error());
  for (const auto& t : prepared->tags)
    if (auto r = write_file_atomic(dir / "tags" / t.key, t.value); !r) return std::unexpected(r.error());

  RunInfo info{meta.run_id, meta.experiment_id, meta.run_name, meta.user_id, meta.artifact_uri,
               meta.start_time};
  runs_[meta.run_id] = std::move(meta);
  return info;
}

Result<RunMeta*> FileStore::active_run(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    // A run we did not create in this process: find <exp>/<run_id>/meta.yaml.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
      if (!is_experiment_dir(entry) || !fs::exists(entry.path() / run_id / kMeta, ec)) continue;
      auto meta = read_run_meta(entry.path() / run_id / kMeta);
      if (!meta) return std::unexpected(meta.error());
      it = runs_.emplace(run_id, std::move(*meta)).first;
      break;
    }
    if (it == runs_.end()) return make_error("run " + run_id + " does not exist", describe());
  }
  if (it->second.lifecycle_stage != "active") return make_error("run " + run_id + " is deleted", describe());
  return &it->second;
}

Result<> FileStore::write_params(const RunMeta& run, std::span<const Param> params) {
  for (const auto& p : params) {
    const fs::path path = run_dir(run) / "params" / p.key;
    const std::string value = truncate_param_value(p.key, p.value);
    auto old = read_small_file(path);
    if (!old) return std::unexpected(old.error());
    if (*old) {
      if (**old == value) continue;  // same value again: no-op
      return make_error("param '" + p.key + "' was already logged with value '" + **old +
                        "'; params cannot change (new value '" + value + "')", "run " + run.run_id);
    }
    if (auto r = write_file_atomic(path, value); !r) return r;
  }
  return {};
}

Result<> FileStore::append_metrics(const RunMeta& run, std::span<const Metric> metrics) {
  // Group by key so each file is opened once; within a key, logging order is kept.
  // Identical points in one batch are written once, as the SQL store (primary key) does:
  // `mlflow migrate-filestore` fails on a file holding the same line twice.
  std::map<std::string, std::vector<std::string>> lines;
  std::set<std::tuple<std::string, int64_t, int64_t, std::string>> seen;
  for (const auto& m : metrics) {
    const std::string value = python_float_repr(m.value);
    if (!seen.emplace(m.key, m.timestamp_ms, m.step, value).second) continue;
    lines[m.key].push_back(std::to_string(m.timestamp_ms) + " " + value + " " + std::to_string(m.step) + "\n");
  }
  for (const auto& [key, key_lines] : lines) {
    const fs::path path = run_dir(run) / "metrics" / key;
    if (auto r = mkdirs(path.parent_path()); !r) return r;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return make_errno_error("cannot open metric file", errno, path.string());
    // One write() per line in O_APPEND mode: a crash leaves whole lines (MLflow fails on a
    // partial one), and concurrent writers do not interleave inside a line.
    for (const auto& line : key_lines) {
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        const int err = errno;
        ::close(fd);
        return make_errno_error("cannot append to metric file", err, path.string());
      }
    }
    if (::close(fd) != 0) return make_errno_error("cannot close metric file", errno, path.string());
  }
  return {};
}

Result<> FileStore::write_tag(RunMeta& run, const std::string& key, const std::string& value) {
  if (auto r = write_file_atomic(run_dir(run) / "tags" / key, value); !r) return r;
  if (key != kRunNameTag) return {};
  // Renaming through the tag renames the run, as FileStore.set_tag -> update_run_info does.
  run.run_name = value;
  return write_file_atomic(run_dir(run) / kMeta, run_meta_yaml(run, /*fresh=*/false));
}

Result<> FileStore::log_batch(const std::string& run_id, std::span<const Metric> metrics,
                              std::span<const Param> params, std::span<const Tag> tags) {
  if (auto r = validate_batch(metrics, params, tags); !r) return r;
  if (metrics.empty() && params.empty() && tags.empty()) return {};
  auto run = active_run(run_id);
  if (!run) return std::unexpected(run.error());
  if (auto r = write_params(**run, params); !r) return r;
  if (auto r = append_metrics(**run, metrics); !r) return r;
  for (const auto& t : tags)
    if (auto r = write_tag(**run, t.key, truncate_tag_value(t.key, t.value)); !r) return r;
  return {};
}

Result<> FileStore::log_inputs(const RunInfo& info, std::span<const DatasetInput> datasets) {
  for (const auto& d : datasets)
    if (auto r = validate_dataset(d); !r) return r;
  if (datasets.empty()) return {};
  auto run = active_run(info.run_id);
  if (!run) return std::unexpected(run.error());
  std::set<std::pair<std::string, std::string>> seen;
  std::error_code ec;
  for (const auto& d : datasets) {
    if (!seen.emplace(d.name, d.digest).second) continue;  // first of a repeated (name, digest) wins
    // Folder names as FileStore._get_dataset_id / _get_input_id compute them.
    const std::string dataset_id = md5_hex(d.name + d.digest);
    const fs::path ds_meta = root_ / (*run)->experiment_id / "datasets" / dataset_id / kMeta;
    if (!fs::exists(ds_meta, ec))
      if (auto r = write_file_atomic(ds_meta, dataset_meta_yaml(d)); !r) return r;
    const fs::path in_meta = run_dir(**run) / "inputs" / md5_hex(dataset_id + info.run_id) / kMeta;
    if (!fs::exists(in_meta, ec))
      if (auto r = write_file_atomic(in_meta, input_meta_yaml(dataset_id, d.context)); !r) return r;
  }
  return {};
}

Result<> FileStore::log_artifact(const RunInfo& run, const std::string& rel_path, std::string_view bytes) {
  return write_artifact(run.artifact_uri, rel_path, bytes);
}

Result<> FileStore::log_artifact_file(const RunInfo& run, const std::string& rel_dir,
                                      const fs::path& local_file) {
  return copy_artifact_file(run.artifact_uri, rel_dir, local_file);
}

Result<> FileStore::update_run(const std::string& run_id, RunStatus status, int64_t end_time_ms) {
  auto run = active_run(run_id);
  if (!run) return std::unexpected(run.error());
  (*run)->status = run_status_number(status);
  (*run)->end_time = end_time_ms;
  return write_file_atomic(run_dir(**run) / kMeta, run_meta_yaml(**run, /*fresh=*/false));
}

Result<std::vector<Store::OpenRun>> FileStore::open_runs_tagged(const std::string& key) {
  std::vector<OpenRun> out;
  std::error_code ec;
  for (const auto& exp : fs::directory_iterator(root_, ec)) {
    if (!is_experiment_dir(exp)) continue;
    for (const auto& run : fs::directory_iterator(exp.path(), ec)) {
      if (!fs::exists(run.path() / kMeta, ec)) continue;
      auto meta = read_run_meta(run.path() / kMeta);
      if (!meta || meta->status != 1 || meta->lifecycle_stage != "active") continue;  // 1: RUNNING
      auto value = read_small_file(run.path() / "tags" / key);
      if (value && *value) out.push_back({meta->run_id, **value});
    }
  }
  return out;
}

}  // namespace bpfpads
