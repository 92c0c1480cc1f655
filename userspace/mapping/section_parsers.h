// Parsers for the parts of a mapping file below the path tree: `metadata`, and a
// node's `capture` and `extract`. Each reports problems into ctx.sink and returns
// nothing when the part is unusable.
#pragma once

#include <optional>

#include <yaml-cpp/yaml.h>

#include "mapping/mapping_model.h"
#include "mapping/yaml_support.h"

namespace bpfpads {

std::optional<MappingMetadata> parse_metadata(const YAML::Node& node, ParseContext& ctx,
                                              const SourceLocation& key_location);

std::optional<CaptureSpec> parse_capture(const YAML::Node& node, ParseContext& ctx,
                                         const SourceLocation& key_location);

// `capture` may be absent: then no placeholder can be valid.
std::optional<ExtractSpec> parse_extract(const YAML::Node& node, ParseContext& ctx,
                                         const SourceLocation& key_location,
                                         const CaptureSpec* capture);

}  // namespace bpfpads
