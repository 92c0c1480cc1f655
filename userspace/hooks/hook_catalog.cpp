#include "hooks/hook_catalog.h"

#include "symbols/probe_site.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "hooks/library_version.h"
#include "hooks/signature_check.h"
#include "symbols/library_locator.h"
#include "symbols/symbol_index.h"
#include "symbols/symbol_matcher.h"
#include "symbols/usdt_notes.h"

namespace bpfpads {
namespace {

std::string file_identity(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path;
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<PathSegment> to_path_segments(const std::vector<Segment>& path) {
  std::vector<PathSegment> out;
  for (const auto& s : path) out.push_back({s.kind == Segment::Kind::Regex, s.text});
  return out;
}

// A C++ symbol says its parameter types: an integer capture of a parameter that
// arrives in an XMM register would read an unrelated register. Such captures are
// marked unreadable, with a warning, instead of logging garbage. Only when the
// capture lists exactly the declared parameters (a method's implicit `this` makes
// the positions ambiguous otherwise).
void check_against_signature(Hook& h) {
  auto floats = float_parameters(h.function);
  if (!floats || !h.entry->capture || h.entry->capture->args.size() != floats->size()) return;
  for (size_t i = 0; i < floats->size() && i < h.layout.fields.size(); ++i) {
    CaptureField& f = h.layout.fields[i];
    if (!(*floats)[i] || f.type.in_float_register() || f.type.out || !f.readable) continue;
    f.readable = false;
    h.layout.spec.captures[i].kind = BP_CAP_NONE;
    h.layout.warnings.push_back("capture " + f.name + ": " + h.function + " takes a floating-point value "
                                "there, which arrives in an XMM register that BPF cannot read");
  }
}

}  // namespace

size_t python_entry_count(const LoadedMapping& mapping) {
  return static_cast<size_t>(std::count_if(mapping.file.entries.begin(), mapping.file.entries.end(),
                                           [](const MappingEntry& e) { return !e.target.is_native(); }));
}

HookCatalog::HookCatalog(std::vector<LoadedMapping> mappings, PipelineConfig config)
    : mappings_(std::move(mappings)), config_(std::move(config)) {
  for (const auto& m : mappings_) {
    MappingUse use;
    use.name = std::filesystem::path(m.path).filename();
    use.version = m.file.metadata.version;
    use.library = m.file.metadata.library.name;
    use.library_version = "not loaded";
    use.status = "waiting for its library";
    size_t python = python_entry_count(m), native = m.file.entries.size() - python;
    // Said plainly instead of "waiting": a Python path selects a Python function, which
    // needs the interpreter reader (userspace/python/), not a library load.
    if (python > 0 && native == 0) use.status = "waiting for a Python process to import its targets";
    uses_[&m] = use;
  }
}

bool HookCatalog::has_native_targets() const {
  for (const auto& m : mappings_)
    for (const auto& e : m.file.entries)
      if (e.target.is_native()) return true;
  return false;
}

std::vector<std::string> HookCatalog::events_for(const MappingEntry& entry) const {
  std::vector<std::string> events;
  for (const auto& hook : entry.hooks)
    for (const auto& ev : config_.events_for_hook(hook))
      if (!contains(events, ev)) events.push_back(ev);
  return events;
}

Result<std::vector<Hook*>> HookCatalog::resolve_file(const std::string& open_path,
                                                     const std::string& display, bool is_executable) {
  std::vector<Hook*> created;
  std::string identity = file_identity(open_path);
  if (!seen_.insert(identity).second) return created;
  std::string soname = read_soname(open_path);

  std::optional<SymbolIndex> index, exported_index;
  std::optional<std::vector<UsdtProbe>> probes;
  for (auto& mapping : mappings_) {
    MappingUse& use = uses_[&mapping];
    bool version_checked = false;
    for (const auto& entry : mapping.file.entries) {
      const Target& t = entry.target;
      bool applies = (t.kind == Target::Kind::NativeLibrary && library_matches(t.object, display, soname)) ||
                     (t.kind == Target::Kind::NativeExecutable && is_executable &&
                      exe_matches(t.object, display));
      if (!applies) continue;
      if (!version_checked) {
        version_checked = true;
        auto found = detect_library_version(open_path, mapping.file.metadata.library.name);
        use.library_version = found.value_or("unknown");
        if (found && !mapping.file.metadata.library.version.satisfied_by(*found)) {
          use.status = "skipped: " + mapping.file.metadata.library.name + " " + *found +
                       " in " + display + " does not satisfy " +
                       mapping.file.metadata.library.version.text();
          break;  // no entry of this file applies to this library
        }
        use.status = "active";
      }
      std::vector<std::string> events = events_for(entry);
      LayoutOptions lopt;
      lopt.usdt = t.is_usdt();
      lopt.hardware = contains(events, "hardware");
      lopt.paired = lopt.hardware || contains(events, "pipeline") || contains(events, "output");
      auto layout = compile_hook_layout(entry.capture, lopt);
      if (!layout)
        return std::unexpected(layout.error().with_context(mapping.path + ":" +
                                                           std::to_string(entry.location.line)));

      auto make_hook = [&](std::string function) {
        auto h = std::make_unique<Hook>();
        h->id = static_cast<uint32_t>(hooks_.size());
        h->mapping = &mapping;
        h->entry = &entry;
        h->function = std::move(function);
        h->binary = open_path;
        h->library_version = use.library_version;
        h->layout = *layout;
        h->events = events;
        hooks_.push_back(std::move(h));
        created.push_back(hooks_.back().get());
        ++use.hooks;
        matched_.insert(&entry);
        return hooks_.back().get();
      };

      if (t.is_usdt()) {
        if (!probes) {
          auto p = read_usdt_probes(open_path);
          if (!p) return std::unexpected(p.error());
          probes = std::move(*p);
        }
        for (const auto& probe : *probes) {
          if (probe.provider != *t.usdt_provider || entry.path.size() != 1 ||
              !entry.path[0].matches(probe.name))
            continue;
          Hook* h = make_hook(probe.provider + ":" + probe.name);
          h->usdt = true;
          h->usdt_provider = probe.provider;
          h->usdt_name = probe.name;
        }
        continue;
      }
      auto segments = to_path_segments(entry.path);
      // A path of literal names is looked up among the exported functions first;
      // only a regex, or a name that is not exported, needs the whole .symtab.
      const bool literal = std::none_of(segments.begin(), segments.end(),
                                        [](const PathSegment& s) { return s.is_regex; });
      Result<MatchResult> match = MatchResult{};
      if (literal) {
        if (!exported_index) {
          auto idx = SymbolIndex::open(open_path, /*exported_only=*/true);
          if (!idx) return std::unexpected(idx.error());
          exported_index = std::move(*idx);
        }
        match = match_symbols(*exported_index, segments);
      }
      if (match && match->targets.empty()) {
        if (!index) {
          auto idx = SymbolIndex::open(open_path);
          if (!idx) return std::unexpected(idx.error());
          index = std::move(*idx);
        }
        match = match_symbols(*index, segments);
      }
      if (!match) return std::unexpected(match.error());
      if (match->targets.empty()) {
        auto& near = near_misses_[&entry];
        for (auto& n : match->near_matches)
          if (!contains(near, n)) near.push_back(n);
      }
      for (const auto& target : match->targets) {
        Hook* h = make_hook(target.demangled.empty() ? target.symbol : target.demangled);
        h->file_offset = target.probe_offset;
        ProbeSite site = probe_site_in_file(open_path, target.probe_offset);
        h->single_stepped = !site.emulated;
        h->hit_cost_us = site.hit_cost_us;
        check_against_signature(*h);
      }
    }
  }
  return created;
}

std::vector<std::string> HookCatalog::add_python_hooks() {
  std::vector<std::string> notes;
  for (const auto& m : mappings_)
    for (const auto& e : m.file.entries) {
      if (e.target.is_native()) continue;
      std::string path;
      bool literal = true;
      for (const auto& seg : e.path) {
        literal = literal && seg.kind == Segment::Kind::Literal;
        path += (path.empty() ? "" : ".") + seg.text;
      }
      if (!literal) {
        notes.push_back(e.location.file + ":" + std::to_string(e.location.line) + ": " + path +
                        ": Python paths with a regular expression are not tracked yet (name the functions, or "
                        "the wrapper they share)");
        continue;
      }
      auto h = std::make_unique<Hook>();
      h->id = static_cast<uint32_t>(hooks_.size());
      h->mapping = &m;
      h->entry = &e;
      h->function = path;
      h->python = true;
      h->events = events_for(e);
      hooks_.push_back(std::move(h));
    }
  return notes;
}

void HookCatalog::set_python_use(const LoadedMapping* mapping, const std::string& library_version,
                                 const std::string& status, size_t hooks) {
  auto it = uses_.find(mapping);
  if (it == uses_.end()) return;
  if (!library_version.empty()) it->second.library_version = library_version;
  bool native = python_entry_count(*mapping) < mapping->file.entries.size();
  it->second.status = native ? it->second.status + "; " + status : status;
  it->second.hooks += hooks;
}

Hook* HookCatalog::find(uint32_t id) { return id < hooks_.size() ? hooks_[id].get() : nullptr; }

std::vector<MappingUse> HookCatalog::mapping_uses() const {
  std::vector<MappingUse> out;
  for (const auto& m : mappings_) out.push_back(uses_.at(&m));
  return out;
}

std::vector<std::string> HookCatalog::unmatched_entries(bool user_files_only) const {
  std::set<const MappingEntry*> shipped;
  for (const auto& m : mappings_)
    if (m.shipped)
      for (const auto& e : m.file.entries) shipped.insert(&e);
  std::vector<std::string> out;
  for (const auto& [entry, near] : near_misses_) {
    if (matched_.count(entry) || (user_files_only && shipped.count(entry))) continue;
    std::string line = entry->location.file + ":" + std::to_string(entry->location.line) + ": " +
                       entry->path_text() + " matched no symbol";
    if (!near.empty()) {
      line += "; near: ";
      for (size_t i = 0; i < near.size() && i < 5; ++i) line += (i ? ", " : "") + near[i];
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace bpfpads
