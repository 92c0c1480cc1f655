// A minimal YAML writer for the MLflow file store's meta.yaml files: flat maps with sorted
// keys and block style, like yaml.safe_dump(sort_keys=True). Scalars are quoted whenever a
// YAML 1.1 reader (PyYAML) could take them for anything but the string they are.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace bpfpads {

// A string as a YAML scalar: plain when unambiguous, else single- or double-quoted.
std::string yaml_string(const std::string& value);

class YamlMap {
 public:
  YamlMap& str(const std::string& key, const std::string& value);
  YamlMap& integer(const std::string& key, int64_t value);
  YamlMap& null(const std::string& key);
  // An empty list, "[]" (run meta's legacy `tags`).
  YamlMap& empty_list(const std::string& key);
  // A nested string map, indented by two spaces; "{}" when empty.
  YamlMap& map(const std::string& key, const std::map<std::string, std::string>& values);

  // "key: value\n" lines in key order (std::map sorts bytewise, as Python sorts str keys
  // for ASCII).
  std::string dump() const;

 private:
  std::map<std::string, std::string> rendered_;
};

}  // namespace bpfpads
