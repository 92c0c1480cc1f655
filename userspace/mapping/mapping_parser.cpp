#include "mapping/mapping_parser.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "mapping/path_tree.h"
#include "mapping/section_parsers.h"
#include "mapping/yaml_support.h"

namespace bpfpads {
namespace {

std::optional<MappingFile> parse_document(const YAML::Node& root, ParseContext& ctx, std::string_view name) {
  const SourceLocation file_start{ctx.file, 1, 1};
  if (!root.IsDefined() || root.IsNull()) {
    ctx.sink.error(file_start, "empty mapping file (expected metadata and mappings)");
    return std::nullopt;
  }
  if (!root.IsMap()) {
    ctx.sink.error(ctx.at(root, file_start), "a mapping file must be a mapping with metadata, fragments, mappings");
    return std::nullopt;
  }

  // A default YAML::Node is a defined null, so presence is tracked separately.
  YAML::Node metadata, fragments, mappings;
  bool has_metadata = false, has_fragments = false, has_mappings = false;
  SourceLocation metadata_at, fragments_at, mappings_at;
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const SourceLocation at = ctx.at(kv.first);
    if (key == "metadata") {
      metadata.reset(kv.second);
      metadata_at = at;
      has_metadata = true;
    } else if (key == "fragments") {
      fragments.reset(kv.second);
      fragments_at = at;
      has_fragments = true;
    } else if (key == "mappings") {
      mappings.reset(kv.second);
      mappings_at = at;
      has_mappings = true;
    } else {
      ctx.sink.error(at, "unknown top-level key '" + key + "' (expected metadata, fragments, mappings)");
    }
  }

  std::optional<MappingMetadata> meta;
  if (!has_metadata) ctx.sink.error(file_start, "missing 'metadata' (author, version, library)");
  else meta = parse_metadata(metadata, ctx, metadata_at);

  FragmentTable table;
  if (has_fragments && !fragments.IsNull()) {
    if (!fragments.IsMap()) {
      ctx.sink.error(ctx.at(fragments, fragments_at), "'fragments' must map names to subtrees");
    } else {
      for (const auto& kv : fragments) {
        const SourceLocation at = ctx.at(kv.first);
        if (!kv.first.IsScalar() || kv.first.Scalar().empty()) {
          ctx.sink.error(at, "a fragment name must be a string");
          continue;
        }
        if (!kv.second.IsMap() && !kv.second.IsNull()) {
          ctx.sink.error(ctx.at(kv.second, at), "fragment '" + kv.first.Scalar() + "' must be a mapping");
          continue;
        }
        table[kv.first.Scalar()] = kv.second;
      }
    }
  }

  std::vector<MappingEntry> entries;
  if (!has_mappings || mappings.IsNull()) {
    ctx.sink.error(has_mappings ? mappings_at : file_start, "missing 'mappings' (the path tree)");
  } else {
    entries = flatten_mappings(mappings, table, ctx, mappings_at);
    if (entries.empty() && !ctx.sink.has_errors())
      ctx.sink.warning(mappings_at, "no path has hooks; this file tracks nothing");
  }

  if (!meta || ctx.sink.has_errors()) return std::nullopt;
  return MappingFile{std::string(name), std::move(*meta), std::move(entries)};
}

}  // namespace

MappingParseResult parse_mapping_text(std::string_view text, std::string_view display_name) {
  DiagnosticSink sink;
  ParseContext ctx{std::string(display_name), sink};
  std::optional<MappingFile> file;
  // yaml-cpp reports syntax errors (and its own depth limit) by throwing; nothing
  // thrown may cross this boundary.
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    file = parse_document(root, ctx, display_name);
  } catch (const YAML::Exception& e) {
    sink.error(ctx.at(e.mark), "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    sink.error({ctx.file, 0, 0}, std::string("cannot parse: ") + e.what());
  }
  // Problems are found tree-walk first; report them in file order.
  sink.sort_by_position();
  MappingParseResult result{std::unexpected(Error{}), {}};
  if (file && !sink.has_errors()) result.file = std::move(*file);
  else result.file = std::unexpected(sink.to_error());
  result.diagnostics = sink.take();
  return result;
}

MappingParseResult parse_mapping_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    Error error{"cannot read mapping file", err, path};
    return {std::unexpected(error), {Diagnostic{Severity::Error, {path, 0, 0}, error.describe()}}};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_mapping_text(buffer.str(), path);
}

}  // namespace bpfpads
