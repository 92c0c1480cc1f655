#include "store/file_store_meta.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "store/yaml_out.h"

namespace bpfpads {

std::string experiment_meta_yaml(const ExperimentMeta& e) {
  // Keys are Experiment's properties minus tags, as of MLflow 3.17.
  return YamlMap()
      .str("artifact_location", e.artifact_location)
      .integer("creation_time", e.creation_time)
      .null("effective_trace_archival_retention")
      .str("experiment_id", e.experiment_id)
      .integer("last_update_time", e.creation_time)
      .str("lifecycle_stage", e.lifecycle_stage)
      .str("name", e.name)
      .null("trace_location")
      .str("workspace", "default")
      .dump();
}

std::string run_meta_yaml(const RunMeta& r, bool fresh) {
  YamlMap m;
  m.str("artifact_uri", r.artifact_uri);
  if (fresh) m.null("deleted_time");
  if (r.end_time) m.integer("end_time", *r.end_time);
  else m.null("end_time");
  m.str("entry_point_name", "")
      .str("experiment_id", r.experiment_id)
      .str("lifecycle_stage", r.lifecycle_stage)
      .str("run_id", r.run_id)
      .str("run_name", r.run_name)
      .str("source_name", "")
      .integer("source_type", 4)  // LOCAL: what FileStore always writes
      .str("source_version", "")
      .integer("start_time", r.start_time)
      .integer("status", r.status)
      .empty_list("tags")
      .str("user_id", r.user_id);
  return m.dump();
}

std::string dataset_meta_yaml(const DatasetInput& d) {
  YamlMap m;
  m.str("digest", d.digest).str("name", d.name).str("source", d.source).str("source_type", d.source_type);
  if (d.profile.empty()) m.null("profile");
  else m.str("profile", d.profile);
  if (d.schema.empty()) m.null("schema");
  else m.str("schema", d.schema);
  return m.dump();
}

std::string input_meta_yaml(const std::string& dataset_id, const std::string& context) {
  std::map<std::string, std::string> tags;
  if (!context.empty()) tags["mlflow.data.context"] = context;
  // FileStore writes the dataset id as destination_id too; readers ignore it.
  return YamlMap()
      .str("destination_id", dataset_id)
      .str("destination_type", "RUN")
      .str("source_id", dataset_id)
      .str("source_type", "DATASET")
      .map("tags", tags)
      .dump();
}

namespace {

template <typename T>
T get_or(const YAML::Node& node, const char* key, T fallback) {
  const YAML::Node v = node[key];
  if (!v || v.IsNull()) return fallback;
  return v.as<T>();
}

}  // namespace

Result<ExperimentMeta> read_experiment_meta(const std::filesystem::path& path) {
  try {
    const YAML::Node doc = YAML::LoadFile(path.string());
    if (!doc.IsMap()) return make_error("not a YAML map", path.string());
    ExperimentMeta e;
    e.experiment_id = get_or<std::string>(doc, "experiment_id", "");
    e.name = get_or<std::string>(doc, "name", "");
    e.artifact_location = get_or<std::string>(doc, "artifact_location", "");
    e.lifecycle_stage = get_or<std::string>(doc, "lifecycle_stage", "active");
    e.creation_time = get_or<int64_t>(doc, "creation_time", 0);
    if (e.experiment_id.empty() || e.name.empty())
      return make_error("experiment meta.yaml lacks experiment_id or name", path.string());
    return e;
  } catch (const std::exception& ex) {
    return make_error(std::string("cannot read experiment meta.yaml: ") + ex.what(), path.string());
  }
}

Result<RunMeta> read_run_meta(const std::filesystem::path& path) {
  try {
    const YAML::Node doc = YAML::LoadFile(path.string());
    if (!doc.IsMap()) return make_error("not a YAML map", path.string());
    RunMeta r;
    r.run_id = get_or<std::string>(doc, "run_id", "");
    r.experiment_id = get_or<std::string>(doc, "experiment_id", "");
    r.run_name = get_or<std::string>(doc, "run_name", "");
    r.user_id = get_or<std::string>(doc, "user_id", "");
    r.artifact_uri = get_or<std::string>(doc, "artifact_uri", "");
    r.start_time = get_or<int64_t>(doc, "start_time", 0);
    if (doc["end_time"] && !doc["end_time"].IsNull()) r.end_time = doc["end_time"].as<int64_t>();
    r.status = get_or<int>(doc, "status", 1);
    r.lifecycle_stage = get_or<std::string>(doc, "lifecycle_stage", "active");
    if (r.run_id.empty() || r.experiment_id.empty())
      return make_error("run meta.yaml lacks run_id or experiment_id", path.string());
    return r;
  } catch (const std::exception& ex) {
    return make_error(std::string("cannot read run meta.yaml: ") + ex.what(), path.string());
  }
}

}  // namespace bpfpads
