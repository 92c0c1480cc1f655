// Flattens the `mappings` tree into MappingEntry values (PyPads semantics: hooks and
// data accumulate downwards; a leaf with hooks, or a node with its own capture or
// extract, becomes an entry).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "mapping/mapping_model.h"
#include "mapping/yaml_support.h"

namespace bpfpads {

// name -> subtree, from the `fragments` section.
using FragmentTable = std::map<std::string, YAML::Node>;

std::vector<MappingEntry> flatten_mappings(const YAML::Node& mappings, const FragmentTable& fragments,
                                           ParseContext& ctx, const SourceLocation& key_location);

}  // namespace bpfpads
