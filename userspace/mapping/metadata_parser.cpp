#include "mapping/section_parsers.h"

namespace bpfpads {
namespace {

// A required string member of a map; reports its absence at the map's key.
std::optional<std::string> required_string(const YAML::Node& map, const char* key, ParseContext& ctx,
                                           const SourceLocation& map_location, const std::string& path) {
  const YAML::Node value = map[key];
  if (!value.IsDefined() || value.IsNull()) {
    ctx.sink.error(map_location, "'" + path + "' is missing '" + key + "'");
    return std::nullopt;
  }
  return scalar_text(value, ctx, map_location, path + "." + key);
}

void warn_unknown_keys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                       ParseContext& ctx, const std::string& path) {
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) ctx.sink.warning(ctx.at(kv.first), "unknown key '" + key + "' in '" + path + "' is ignored");
  }
}

}  // namespace

std::optional<MappingMetadata> parse_metadata(const YAML::Node& node, ParseContext& ctx,
                                              const SourceLocation& key_location) {
  if (!node.IsMap()) {
    ctx.sink.error(ctx.at(node, key_location),
                   "'metadata' must be a mapping with author, version and library");
    return std::nullopt;
  }
  warn_unknown_keys(node, {"author", "version", "library"}, ctx, "metadata");
  MappingMetadata meta;
  auto author = required_string(node, "author", ctx, key_location, "metadata");
  auto version = required_string(node, "version", ctx, key_location, "metadata");

  const YAML::Node library = node["library"];
  std::optional<std::string> lib_name, lib_version;
  SourceLocation lib_location = key_location;
  if (!library.IsDefined() || library.IsNull()) {
    ctx.sink.error(key_location, "'metadata' is missing 'library'");
  } else if (!library.IsMap()) {
    ctx.sink.error(ctx.at(library, key_location), "'metadata.library' must be a mapping with name and version");
  } else {
    // Problems inside library are reported at its key.
    for (const auto& kv : node)
      if (kv.first.IsScalar() && kv.first.Scalar() == "library") lib_location = ctx.at(kv.first);
    warn_unknown_keys(library, {"name", "version"}, ctx, "metadata.library");
    lib_name = required_string(library, "name", ctx, lib_location, "metadata.library");
    lib_version = required_string(library, "version", ctx, lib_location, "metadata.library");
  }
  if (!author || !version || !lib_name || !lib_version) return std::nullopt;

  auto constraint = VersionConstraint::parse(*lib_version);
  if (!constraint) {
    ctx.sink.error(ctx.at(library["version"], lib_location), constraint.error().message);
    return std::nullopt;
  }
  meta.author = *author;
  meta.version = *version;
  meta.library = {*lib_name, std::move(*constraint)};
  return meta;
}

}  // namespace bpfpads
