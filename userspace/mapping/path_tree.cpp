#include "mapping/path_tree.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "mapping/path_syntax.h"
#include "mapping/section_parsers.h"

namespace bpfpads {
namespace {

constexpr std::array<std::string_view, 6> kNodeKeywords = {"hooks", "events", "import-hooks",
                                                          "data", "capture", "extract"};

std::string unknown_key_message(const std::string& key) {
  return "unknown key '" + key +
         "' (expected a path like ':name', or one of hooks, events, import-hooks, data, capture, extract)";
}

// Levenshtein distance, to tell a misspelt keyword ("hook", "captures") from a bare
// path key ("__init__", "sklearn") that PyPads' own examples write without ':'.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool looks_like_misspelt_keyword(std::string_view key) {
  for (auto kw : kNodeKeywords)
    if (edit_distance(key, kw) <= 2) return true;
  return false;
}

// One segment of a full path, target selectors included.
struct PathPart {
  PathToken::Kind kind = PathToken::Kind::Literal;
  std::string text;
  std::optional<PythonRegex> regex;
  SourceLocation location;
};

struct Child {
  std::vector<PathPart> parts;
  YAML::Node value;
  SourceLocation location;
};

// What one node says, its included fragments merged in.
struct NodeContent {
  std::vector<std::string> hooks;
  std::vector<std::string> import_hooks;
  nlohmann::json data = nlohmann::json::object();
  std::size_t data_weight = 0;  // YAML nodes behind `data`: the cost of copying it downwards
  std::optional<CaptureSpec> capture;
  std::optional<SourceLocation> capture_at;
  YAML::Node extract;
  std::optional<SourceLocation> extract_at;
  std::vector<Child> children;
};

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& items) {
  for (const auto& s : items)
    if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
}

// PyPads' dict_merge: maps merge key by key, lists join without duplicates, and any
// other value of the child replaces the parent's.
void merge_data(nlohmann::json& into, const nlohmann::json& own) {
  for (auto it = own.begin(); it != own.end(); ++it) {
    auto existing = into.find(it.key());
    if (existing == into.end()) {
      into[it.key()] = it.value();
    } else if (existing->is_object() && it->is_object()) {
      merge_data(*existing, *it);
    } else if (existing->is_array() && it->is_array()) {
      for (const auto& v : *it)
        if (std::find(existing->begin(), existing->end(), v) == existing->end()) existing->push_back(v);
    } else {
      *existing = *it;
    }
  }
}

std::string part_text(const PathPart& p) {
  switch (p.kind) {
    case PathToken::Kind::Literal: return p.text;
    case PathToken::Kind::Regex: return "{re:" + p.text + "}";
    case PathToken::Kind::Library: return "{lib:" + p.text + "}";
    case PathToken::Kind::Executable: return "{exe:" + p.text + "}";
    case PathToken::Kind::UsdtProvider: return "{usdt:" + p.text + "}";
  }
  return p.text;
}

class TreeFlattener {
 public:
  TreeFlattener(const FragmentTable& fragments, ParseContext& ctx) : fragments_(fragments), ctx_(ctx) {}

  std::vector<MappingEntry> run(const YAML::Node& mappings, const SourceLocation& at) {
    if (!mappings.IsMap()) {
      ctx_.sink.error(ctx_.at(mappings, at), "'mappings' must be a mapping of paths");
      return {};
    }
    NodeContent root;
    std::vector<std::string> stack;
    collect(mappings, root, stack, 0);
    std::vector<PathPart> path;
    walk(root, path, {}, nlohmann::json::object(), 0, at, 0);
    return std::move(entries_);
  }

 private:
  void collect(const YAML::Node& map, NodeContent& out, std::vector<std::string>& fragment_stack, int depth);
  void collect_key(const YAML::Node& key, const YAML::Node& value, NodeContent& out,
                   std::vector<std::string>& fragment_stack, int depth);
  void include_fragment(const std::string& name, const YAML::Node& value, const SourceLocation& at,
                        NodeContent& out, std::vector<std::string>& fragment_stack, int depth);
  std::optional<std::vector<PathPart>> parts_from_tokens(Result<std::vector<PathToken>> tokens,
                                                         const SourceLocation& at);
  void add_child(std::vector<PathPart> parts, const YAML::Node& value, const SourceLocation& at, NodeContent& out);
  // `path` is extended and restored around each child, so the walk does not copy it.
  void walk(const NodeContent& node, std::vector<PathPart>& path, const std::vector<std::string>& inherited_hooks,
            const nlohmann::json& inherited_data, std::size_t inherited_weight, const SourceLocation& at, int depth);
  void emit(const NodeContent& node, const std::vector<PathPart>& path, std::vector<std::string> hooks,
            nlohmann::json data, std::optional<ExtractSpec> extract, const SourceLocation& at);
  std::optional<std::vector<std::string>> hook_names(const YAML::Node& value, const SourceLocation& at,
                                                     const std::string& what);

  const FragmentTable& fragments_;
  ParseContext& ctx_;
  std::vector<MappingEntry> entries_;
};

void TreeFlattener::collect(const YAML::Node& map, NodeContent& out, std::vector<std::string>& fragment_stack,
                            int depth) {
  for (const auto& kv : map) {
    if (!ctx_.spend(ctx_.at(kv.first))) return;
    collect_key(kv.first, kv.second, out, fragment_stack, depth);
  }
}

std::optional<std::vector<PathPart>> TreeFlattener::parts_from_tokens(Result<std::vector<PathToken>> tokens,
                                                                      const SourceLocation& at) {
  if (!tokens) {
    ctx_.sink.error(at, "invalid path: " + tokens.error().message);
    return std::nullopt;
  }
  std::vector<PathPart> parts;
  for (auto& t : *tokens) {
    PathPart p{t.kind, std::move(t.text), std::nullopt, at};
    if (p.kind == PathToken::Kind::Regex) {
      auto regex = PythonRegex::compile(p.text);
      if (!regex) {
        ctx_.sink.error(at, regex.error().message);
        return std::nullopt;
      }
      p.regex = std::move(*regex);
    }
    parts.push_back(std::move(p));
  }
  return parts;
}

void TreeFlattener::add_child(std::vector<PathPart> parts, const YAML::Node& value, const SourceLocation& at,
                              NodeContent& out) {
  if (!value.IsNull() && !value.IsMap()) {
    ctx_.sink.error(ctx_.at(value, at), "the value of a path must be a mapping (hooks, data, paths...) or ~");
    return;
  }
  out.children.push_back({std::move(parts), value, at});
}

std::optional<std::vector<std::string>> TreeFlattener::hook_names(const YAML::Node& value, const SourceLocation& at,
                                                                  const std::string& what) {
  auto names = string_or_list(value, ctx_, at, what);
  if (!names) return std::nullopt;
  for (const auto& n : *names) {
    if (!is_identifier(n)) {
      ctx_.sink.error(ctx_.at(value, at), "invalid hook name '" + n + "' in '" + what + "' (expected e.g. pypads_fit)");
      return std::nullopt;
    }
  }
  return names;
}

void TreeFlattener::collect_key(const YAML::Node& key, const YAML::Node& value, NodeContent& out,
                                std::vector<std::string>& fragment_stack, int depth) {
  const SourceLocation at = ctx_.at(key);

  if (!key.IsScalar()) {
    // PyPads' docs write "{re: (fit|fit_predict)$}:" unquoted, which YAML reads as a
    // one-entry mapping used as a key; accept that spelling of a regex segment.
    if (key.IsMap() && key.size() == 1 && key.begin()->first.IsScalar() && key.begin()->first.Scalar() == "re" &&
        key.begin()->second.IsScalar()) {
      ctx_.sink.warning(at, "YAML reads an unquoted '{re: ...}' key as a mapping; write ':{re:...}' instead");
      std::vector<PathToken> tokens{{PathToken::Kind::Regex, key.begin()->second.Scalar()}};
      if (auto parts = parts_from_tokens(std::move(tokens), at)) add_child(std::move(*parts), value, at, out);
      return;
    }
    ctx_.sink.error(at, "a key must be a string (a path like ':name', or one of hooks, events, import-hooks, data, "
                        "capture, extract)");
    return;
  }

  const std::string& text = key.Scalar();
  const std::string tag = short_tag(key);
  if (!tag.empty()) {
    std::optional<std::vector<PathPart>> parts;
    if (tag == "python/pPath") {
      std::string_view path = text;
      if (path.starts_with(':')) path.remove_prefix(1);
      parts = parts_from_tokens(split_path(path), at);
    } else if (tag == "python/rSeg") {
      parts = parts_from_tokens(std::vector<PathToken>{{PathToken::Kind::Regex, text}}, at);
    } else if (tag == "python/sSeg" || tag == "python/pSeg") {
      if (text.empty()) {
        ctx_.sink.error(at, "invalid path: empty segment");
        return;
      }
      parts = parts_from_tokens(std::vector<PathToken>{{PathToken::Kind::Literal, text}}, at);
    } else {
      ctx_.sink.error(at, "unknown tag '!!" + tag +
                              "' (expected !!python/pPath, !!python/rSeg, !!python/sSeg or !!python/pSeg)");
      return;
    }
    if (parts) add_child(std::move(*parts), value, at, out);
    return;
  }

  if (text.starts_with(':') || text.starts_with('.')) {
    // ':a.b' and the docs' relative '.a.b' both continue the parent's path.
    if (auto parts = parts_from_tokens(split_path(std::string_view(text).substr(1)), at))
      add_child(std::move(*parts), value, at, out);
    return;
  }
  if (text.starts_with(';')) {
    include_fragment(text.substr(1), value, at, out, fragment_stack, depth);
    return;
  }
  if (text == "hooks" || text == "events") {
    if (auto names = hook_names(value, at, text)) add_unique(out.hooks, *names);
    return;
  }
  if (text == "import-hooks") {
    if (auto names = hook_names(value, at, text)) add_unique(out.import_hooks, *names);
    return;
  }
  if (text == "data") {
    if (!value.IsMap() && !value.IsNull()) {
      ctx_.sink.error(ctx_.at(value, at), "'data' must be a mapping");
      return;
    }
    const std::size_t before = ctx_.visited;
    if (auto json = yaml_to_json(value, ctx_); json && json->is_object()) merge_data(out.data, *json);
    out.data_weight += ctx_.visited - before;
    return;
  }
  if (text == "capture") {
    if (out.capture_at) {
      ctx_.sink.error(at, "second 'capture' for this path (first at " + out.capture_at->format() + ")");
      return;
    }
    out.capture_at = at;
    out.capture = parse_capture(value, ctx_, at);
    return;
  }
  if (text == "extract") {
    if (out.extract_at) {
      ctx_.sink.error(at, "second 'extract' for this path (first at " + out.extract_at->format() + ")");
      return;
    }
    out.extract_at = at;
    out.extract.reset(value);
    return;
  }

  // A bare name. PyPads ignored these silently, yet its own documentation writes
  // "__init__:" and "sklearn:"; read them as paths, unless they look like a misspelt
  // keyword, which must not silently become a path.
  if (!text.empty() && !looks_like_misspelt_keyword(text)) {
    auto tokens = split_path(text);
    const bool plain_names = tokens && std::none_of(tokens->begin(), tokens->end(), [](const PathToken& t) {
      return t.kind == PathToken::Kind::Literal &&
             std::any_of(t.text.begin(), t.text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    });
    if (plain_names) {
      ctx_.sink.warning(at, "key '" + text + "' has no leading ':'; read as the path ':" + text + "'");
      if (auto parts = parts_from_tokens(std::move(tokens), at)) add_child(std::move(*parts), value, at, out);
      return;
    }
  }
  ctx_.sink.error(at, unknown_key_message(text));
}

void TreeFlattener::include_fragment(const std::string& name, const YAML::Node& value, const SourceLocation& at,
                                     NodeContent& out, std::vector<std::string>& fragment_stack, int depth) {
  if (!value.IsNull()) ctx_.sink.error(ctx_.at(value, at), "a fragment include takes no value (write ';" + name + ": ~')");
  auto it = fragments_.find(name);
  if (it == fragments_.end()) {
    ctx_.sink.error(at, "unknown fragment '" + name + "'");
    return;
  }
  if (std::find(fragment_stack.begin(), fragment_stack.end(), name) != fragment_stack.end()) {
    std::string cycle;
    for (const auto& f : fragment_stack) cycle += f + " -> ";
    ctx_.sink.error(at, "fragment '" + name + "' includes itself (" + cycle + name + ")");
    return;
  }
  if (depth > kMaxNestingDepth) {
    ctx_.sink.error(at, "fragments nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    return;
  }
  if (!it->second.IsMap()) return;  // an empty fragment; a non-map one was reported where defined
  fragment_stack.push_back(name);
  collect(it->second, out, fragment_stack, depth + 1);
  fragment_stack.pop_back();
}

void TreeFlattener::walk(const NodeContent& node, std::vector<PathPart>& path,
                         const std::vector<std::string>& inherited_hooks, const nlohmann::json& inherited_data,
                         std::size_t inherited_weight, const SourceLocation& at, int depth) {
  if (depth > kMaxNestingDepth) {
    ctx_.sink.error(at, "paths nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    return;
  }
  // Aliases can make one subtree appear under many parents; charge the copies of the
  // inherited data and path so that the work stays bounded.
  const std::size_t weight = inherited_weight + node.data_weight;
  if (!ctx_.spend(at, 1 + weight + path.size())) return;
  std::vector<std::string> hooks = inherited_hooks;
  add_unique(hooks, node.hooks);
  nlohmann::json data = inherited_data;
  merge_data(data, node.data);

  std::optional<ExtractSpec> extract;
  bool extract_failed = false;
  if (node.extract_at) {
    const CaptureSpec* capture = node.capture ? &*node.capture : nullptr;
    if (node.capture_at && !node.capture) {
      extract_failed = true;  // the capture error is already reported; its names are unknown
    } else {
      extract = parse_extract(node.extract, ctx_, *node.extract_at, capture);
      extract_failed = !extract;
    }
  }

  const bool is_leaf = node.children.empty();
  const bool has_own_rules = node.capture_at || node.extract_at || !node.import_hooks.empty();
  if ((is_leaf && !hooks.empty()) || has_own_rules) {
    if (!extract_failed && !(node.capture_at && !node.capture)) emit(node, path, hooks, data, std::move(extract), at);
  } else if (is_leaf && !path.empty()) {
    std::string text;
    for (const auto& p : path) text += (text.empty() ? "" : ".") + part_text(p);
    ctx_.sink.warning(at, "path '" + text + "' has no hooks; nothing is tracked there");
  }

  for (const Child& child : node.children) {
    const std::size_t parent_size = path.size();
    std::vector<PathPart>& child_path = path;
    bool ok = true;
    for (const PathPart& p : child.parts) {
      const std::size_t index = child_path.size();
      const bool object_selector = p.kind == PathToken::Kind::Library || p.kind == PathToken::Kind::Executable;
      if (object_selector && index != 0) {
        ctx_.sink.error(child.location, "'" + part_text(p) + "' must be the first segment of a path");
        ok = false;
      } else if (p.kind == PathToken::Kind::UsdtProvider &&
                 (index != 1 || (child_path[0].kind != PathToken::Kind::Library &&
                                 child_path[0].kind != PathToken::Kind::Executable))) {
        ctx_.sink.error(child.location, "'" + part_text(p) + "' must directly follow {lib:...} or {exe:...}");
        ok = false;
      }
      child_path.push_back(p);
    }
    if (ok) {
      NodeContent content;
      if (child.value.IsMap()) {
        std::vector<std::string> stack;
        collect(child.value, content, stack, 0);
      }
      walk(content, child_path, hooks, data, weight, child.location, depth + 1);
    }
    path.resize(parent_size);
    if (ctx_.budget_exhausted) return;
  }
}

void TreeFlattener::emit(const NodeContent& node, const std::vector<PathPart>& path, std::vector<std::string> hooks,
                         nlohmann::json data, std::optional<ExtractSpec> extract, const SourceLocation& at) {
  MappingEntry entry;
  std::size_t first_symbol = 0;
  if (!path.empty() && (path[0].kind == PathToken::Kind::Library || path[0].kind == PathToken::Kind::Executable)) {
    entry.target.kind = path[0].kind == PathToken::Kind::Library ? Target::Kind::NativeLibrary
                                                                  : Target::Kind::NativeExecutable;
    entry.target.object = path[0].text;
    first_symbol = 1;
    if (path.size() > 1 && path[1].kind == PathToken::Kind::UsdtProvider) {
      entry.target.usdt_provider = path[1].text;
      first_symbol = 2;
    }
  }
  if (path.size() <= first_symbol) {
    ctx_.sink.error(at, path.empty() ? "hooks, capture and extract need a path (they are outside any path here)"
                                     : "a {lib:...}/{exe:...} target needs a symbol path after it");
    return;
  }
  for (std::size_t i = first_symbol; i < path.size(); ++i) {
    const PathPart& p = path[i];
    Segment s;
    s.kind = p.kind == PathToken::Kind::Regex ? Segment::Kind::Regex : Segment::Kind::Literal;
    s.text = p.text;
    s.regex = p.regex;
    s.location = p.location;
    entry.path.push_back(std::move(s));
  }
  if (hooks.empty() && (node.capture_at || node.extract_at))
    ctx_.sink.warning(at, "'capture'/'extract' without hooks: this path never fires");
  entry.hooks = std::move(hooks);
  entry.import_hooks = node.import_hooks;
  entry.data = std::move(data);
  entry.capture = node.capture;
  entry.extract = std::move(extract);
  entry.location = at;
  entries_.push_back(std::move(entry));
}

}  // namespace

std::vector<MappingEntry> flatten_mappings(const YAML::Node& mappings, const FragmentTable& fragments,
                                           ParseContext& ctx, const SourceLocation& key_location) {
  return TreeFlattener(fragments, ctx).run(mappings, key_location);
}

std::string MappingEntry::path_text() const {
  std::string text;
  if (target.kind == Target::Kind::NativeLibrary) text = "{lib:" + target.object + "}";
  if (target.kind == Target::Kind::NativeExecutable) text = "{exe:" + target.object + "}";
  if (target.usdt_provider) text += ".{usdt:" + *target.usdt_provider + "}";
  for (const auto& s : path) {
    if (!text.empty()) text += '.';
    text += s.kind == Segment::Kind::Regex ? "{re:" + s.text + "}" : s.text;
  }
  return text;
}

}  // namespace bpfpads
