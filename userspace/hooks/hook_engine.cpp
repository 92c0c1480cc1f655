#include "hooks/hook_engine.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "common/text.h"
#include "hooks/hook_addresses.h"
#include "mapping/mapping_parser.h"
#include "pipeline/named_extractor.h"
#include "run/run_recorder.h"
#include "symbols/elf_file.h"
#include "symbols/library_locator.h"

namespace bpfpads {
namespace {


std::string dynamic_loader_of(const std::string& executable) {
  auto elf = ElfFile::open(executable);
  if (elf) {
    if (Elf_Scn* scn = elf->section(".interp"))
      if (auto hdr = elf->section_header(scn)) {
        auto bytes = elf->bytes(hdr->sh_offset, hdr->sh_size);
        std::string path(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        path = path.c_str();  // up to the NUL
        if (!path.empty()) return path;
      }
  }
  return "/lib64/ld-linux-x86-64.so.2";
}

}  // namespace

std::vector<std::string> shipped_mapping_files() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("BPFPADS_MAPPINGS_DIR"); env && *env) {
    dirs.push_back(env);
  } else {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "bpfpads" / "mappings");
    dirs.push_back(BPFPADS_SOURCE_MAPPINGS_DIR);
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      auto ext = e.path().extension();
      if (ext == ".yaml" || ext == ".yml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  return {};
}

Result<std::vector<LoadedMapping>> load_mapping_files(const std::vector<std::string>& paths, bool shipped) {
  std::vector<LoadedMapping> out;
  std::string errors;
  for (const auto& path : paths) {
    auto parsed = parse_mapping_file(path);
    for (const auto& d : parsed.diagnostics)
      if (d.severity != Severity::Error) log::warning(d.format());
    if (!parsed.file) {
      errors += (errors.empty() ? "" : "\n") + parsed.file.error().message;
      continue;
    }
    out.push_back({std::move(*parsed.file), path, shipped});
  }
  if (!errors.empty()) return make_error(errors);
  return out;
}

Result<std::unique_ptr<HookEngine>> HookEngine::load(const HookEngineOptions& options) {
  PipelineConfig config = PipelineConfig::defaults();
  if (!options.config_file.empty()) {
    auto parsed = parse_pipeline_config_file(options.config_file);
    for (const auto& d : parsed.diagnostics)
      if (d.severity != Severity::Error) log::warning(d.format());
    if (!parsed.config) return std::unexpected(parsed.config.error());
    config = *parsed.config;
  }
  std::vector<LoadedMapping> mappings;
  if (options.include_default_mappings && config.include_default_mappings) {
    auto shipped = load_mapping_files(shipped_mapping_files(), true);
    if (!shipped) return std::unexpected(shipped.error().with_context("shipped mappings"));
    mappings = std::move(*shipped);
  }
  auto user = load_mapping_files(options.mapping_files, false);
  if (!user) return std::unexpected(user.error());
  for (auto& m : *user) mappings.push_back(std::move(m));
  for (const auto& m : mappings)
    for (const auto& e : m.file.entries)
      if (e.extract && e.extract->extractor && !ExtractorRegistry::instance().create(*e.extract->extractor)) {
        std::string known;
        for (const auto& n : ExtractorRegistry::instance().names()) known += (known.empty() ? "" : ", ") + n;
        return make_error(e.extract->location.file + ":" + std::to_string(e.extract->location.line) + ":" +
                          std::to_string(e.extract->location.column) + ": error: unknown extractor '" +
                          *e.extract->extractor + "' (known: " + known + ")");
      }
  return std::unique_ptr<HookEngine>(new HookEngine(HookCatalog(std::move(mappings), config), options));
}

HookEngine::HookEngine(HookCatalog catalog, const HookEngineOptions& options)
    : catalog_(std::move(catalog)), options_(options) {
  for (const auto& m : catalog_.mappings())
    for (const auto& e : m.file.entries) {
      if (e.target.kind == Target::Kind::NativeLibrary) library_names_.push_back(e.target.object);
      if (e.target.kind == Target::Kind::NativeExecutable) has_exe_targets_ = true;
    }
  // Python entries: a hook each; what its events need decides whether its calls'
  // starts, returns or both are watched (4 debug registers a thread).
  python_notes_ = catalog_.add_python_hooks();
  for (const auto& n : python_notes_) log::warning(n);
  for (const auto& h : catalog_.hooks()) {
    if (!h->python) continue;
    auto has = [&](std::initializer_list<const char*> events) {
      for (const char* e : events)
        if (std::find(h->events.begin(), h->events.end(), e) != h->events.end()) return true;
      return false;
    };
    PythonTarget t;
    t.hook_id = h->id;
    t.path = h->function;
    t.entry = has({"parameters", "input", "init", "hardware", "log"});
    t.exits = has({"metric", "output"});
    t.params = has({"parameters"});
    if (auto modules = h->entry->data.find("modules"); modules != h->entry->data.end() && modules->is_array())
      for (const auto& m : *modules)
        if (m.is_string()) t.modules.push_back(m.get<std::string>());
    t.library = h->mapping->file.metadata.library.name;
    t.library_version = h->mapping->file.metadata.library.version;
    if (!t.entry && !t.exits) t.entry = t.exits = true;  // the pipeline alone: the whole call
    python_targets_.push_back(t);
  }
}

void HookEngine::start_python() {
  if (python_targets_.empty() || python_ || !shared_maps_) return;
  python_ = PythonTracker::create(*shared_maps_, python_targets_);
}

void HookEngine::watch_python(pid_t pid) {
  if (python_) python_->add_process(pid);
}

void HookEngine::configure(BpfOptions& options) const {
  options.follow_children = options.follow_children && catalog_.config().track_sub_processes;
  options.stop_on_library_load = active();
}

void HookEngine::load_programs_in_background() {
  if (!programs_load_ && shared_maps_ && active())
    programs_load_ = std::make_unique<HookProgramsLoad>(*shared_maps_, HookProgramOptions{});
}

HookAttacher* HookEngine::attacher() {
  if (attacher_ || !programs_failed_.empty()) return attacher_.get();
  load_programs_in_background();
  if (!programs_load_) return nullptr;
  uint64_t t0 = monotonic_ns();
  auto programs = programs_load_->wait();
  log::debug("hook programs ready after waiting " + std::to_string((monotonic_ns() - t0) / 1000) + " us");
  if (!programs) {
    // Hooks need task storage (5.11) and more: on a kernel that refuses them the run
    // goes on with the process tree and hardware usage, and says so.
    programs_failed_ = "mapping hooks are off: their BPF programs do not load on this kernel (" +
                       programs.error().describe() + ")";
    log::warning(programs_failed_);
    return nullptr;
  }
  programs_degraded_ = (*programs)->degradations();
  for (const auto& d : programs_degraded_) log::warning(d);
  attacher_ = std::make_unique<HookAttacher>(**programs);
  by_address_ = !(*programs)->uses_attach_cookie();
  if (auto r = attacher_->watch_execs(); !r) {
    notes_.push_back(r.error().describe());
    log::warning(notes_.back());
  }
  return attacher_.get();
}

std::vector<std::string> HookEngine::degradations() {
  attacher();  // a load still running ends now
  std::vector<std::string> out = python_notes_;
  if (python_)
    for (const auto& d : python_->degradations()) out.push_back(d);
  if (!programs_failed_.empty()) out.push_back(programs_failed_);
  else out.insert(out.end(), programs_degraded_.begin(), programs_degraded_.end());
  return out;
}

Result<> HookEngine::attach(BpfPrograms& programs, const std::string& executable) {
  library_watch_ = std::make_unique<LibraryWatch>(programs);
  // Stop only for objects that a {lib:} target could select, and, for executable
  // targets, at the first load event of every new program.
  if (auto r = library_watch_->set_config(lib_watch_config(library_names_, false, has_exe_targets_)); !r)
    return std::unexpected(r.error());
  std::vector<std::string> loaders = {"/lib64/ld-linux-x86-64.so.2"};
  if (!executable.empty()) loaders.push_back(dynamic_loader_of(executable));
  std::vector<std::string> done;
  for (const auto& l : loaders) {
    std::error_code ec;
    std::string real = std::filesystem::canonical(l, ec);
    if (ec || std::find(done.begin(), done.end(), real) != done.end()) continue;
    done.push_back(real);
    if (auto r = library_watch_->watch(real); !r) {
      // Libraries loaded later are then only found when we resolved them up front.
      notes_.push_back("libraries loaded at run time are not watched: " + r.error().describe());
      log::warning(notes_.back());
    } else {
      loads_watched_ = true;
    }
  }
  return {};
}

void HookEngine::attach_failed(Hook& h, const Error& error) {
  h.detached = true;
  h.detached_reason = error.describe();
  notes_.push_back(h.detached_reason);
  log::warning(h.detached_reason);
}

void HookEngine::attach_hooks(HookAttacher& attacher, const std::vector<Hook*>& hooks) {
  // uprobes go in as one batch: with uprobe_multi, one link per binary and program.
  std::vector<UprobeHook> uprobes;
  for (Hook* h : hooks) {
    if (auto r = attacher.set_spec(h->id, h->layout.spec); !r) {
      attach_failed(*h, r.error());
      continue;
    }
    for (const auto& w : h->layout.warnings) notes_.push_back(h->function + ": " + w);
    if (!h->usdt) {
      uprobes.push_back({h->id, {h->binary, h->file_offset, h->function, h->single_stepped},
                         (h->layout.spec.flags & BP_HOOK_PAIRED) != 0});
      continue;
    }
    if (auto r = attacher.attach_usdt(h->id, {h->binary, h->usdt_provider, h->usdt_name}); !r)
      attach_failed(*h, r.error());
  }
  if (uprobes.empty()) return;
  for (const auto& f : attacher.attach_uprobes(uprobes))
    if (Hook* h = catalog_.find(f.hook_id)) attach_failed(*h, f.error);
  // Without attach cookies the kernel names a hook by its address in each process:
  // remember where each attached hook sits in its file (publish_addresses()).
  for (const auto& u : uprobes) {
    const Hook* h = catalog_.find(u.hook_id);
    struct stat st{};
    if (by_address_ && h && !h->detached && ::stat(h->binary.c_str(), &st) == 0)
      probed_.push_back({.hook_id = h->id, .inode = st.st_ino, .file_offset = h->file_offset});
  }
  log::debug("hooked " + std::to_string(uprobes.size()) + " functions in " + hooks.front()->binary + " (" +
             attacher.mode_summary() + ")");
}

void HookEngine::resolve(const std::string& open_path, const std::string& display, bool is_executable) {
  auto hooks = catalog_.resolve_file(open_path, display, is_executable);
  if (!hooks) {
    notes_.push_back(hooks.error().describe());
    log::warning(notes_.back());
    return;
  }
  if (hooks->empty()) return;
  if (HookAttacher* a = attacher()) attach_hooks(*a, *hooks);
}

void HookEngine::resolve_before_start(const std::string& executable) {
  if (!active()) return;
  if (!executable.empty()) resolve(executable, executable, true);
  for (const auto& m : catalog_.mappings())
    for (const auto& e : m.file.entries) {
      if (e.target.kind != Target::Kind::NativeLibrary) continue;
      // With the loads watched, a library is probed when the job maps it: probing
      // every matching file on the machine up front would put breakpoints (and, with
      // classic uprobes, links that take long to drop) on libraries the job never loads.
      auto found = find_library(e.target.object, executable, "", !loads_watched_);
      if (!found) continue;
      for (const auto& path : *found) resolve(path, path, false);
    }
}

void HookEngine::resolve_process(pid_t pid) {
  if (!active()) return;
  auto exe = process_executable(pid);
  const std::string proc = "/proc/" + std::to_string(pid);
  auto maps = parse_proc_maps(read_text_file(proc + "/maps", std::size_t{64} << 20).value_or(""));
  for (const auto& m : maps) {
    if (m.path.empty() || m.path[0] != '/' || m.perms.find('x') == std::string::npos) continue;
    bool is_exe = exe && *exe == m.path;
    // The job is held while this runs, once per library load (hundreds during a
    // Python import): a file already looked at costs no system call, and a library
    // whose name no {lib:} target starts is not even opened.
    if (!looked_at_.insert(m.path + "#" + std::to_string(m.inode)).second) continue;
    if (!is_exe && !has_exe_targets_ && !could_match_library(m.path)) continue;
    resolve(proc + "/root" + m.path, m.path, is_exe);
  }
  if (by_address_) publish_addresses(maps);
}

void HookEngine::publish_addresses(const std::vector<MapsEntry>& maps) {
  for (const auto& a : hook_addresses(maps, probed_)) {
    auto [it, added] = addresses_.try_emplace(a.vaddr, a.hook_id);
    if (!added && it->second == a.hook_id) continue;  // known: no system call while the job waits
    if (!added) {
      // Keyed by address alone (forks share it): two files at one address in two
      // processes name one hook for both. The later mapping wins, and the run says so.
      char where[32];
      snprintf(where, sizeof(where), "0x%llx", static_cast<unsigned long long>(a.vaddr));
      notes_.push_back(std::string("hooks ") + std::to_string(it->second) + " and " + std::to_string(a.hook_id) +
                       " share address " + where + " in different processes: calls there count as hook " +
                       std::to_string(a.hook_id));
      log::warning(notes_.back());
      it->second = a.hook_id;
    }
    if (auto r = attacher_->set_address(a.vaddr, a.hook_id); !r) {
      notes_.push_back(r.error().describe());
      log::warning(notes_.back());
    }
  }
}

Result<> HookEngine::check_unmatched() const {
  auto unmatched = catalog_.unmatched_entries(/*user_files_only=*/true);
  if (!options_.strict) {
    for (const auto& u : unmatched) log::warning(u);
    return {};
  }
  if (unmatched.empty()) return {};
  std::string text;
  for (const auto& u : unmatched) text += "\n  " + u;
  return make_error("mapping paths match nothing, and --strict makes that an error:" + text, "--strict");
}

bool HookEngine::could_match_library(const std::string& path) const {
  std::string base = std::filesystem::path(path).filename();
  for (const auto& name : library_names_)
    if (base.rfind(name, 0) == 0) return true;
  return false;
}

void HookEngine::start_run(RunRecorder& recorder, int64_t mono_to_wall_us) {
  sink_ = std::make_unique<RunSink>(recorder);
  dispatcher_ = std::make_unique<Dispatcher>(catalog_, *sink_, mono_to_wall_us);
  run_start_ns_ = monotonic_ns();
}

void HookEngine::on_event(const KernelEvent& event) {
  if (auto* call = std::get_if<HookCallEvent>(&event)) {
    if (dispatcher_) dispatcher_->on_call(*call);
  } else if (auto* py = std::get_if<PythonCallEvent>(&event)) {
    if (python_ && dispatcher_)
      python_->on_event(*py, [this](const PythonCallDone& done) { dispatcher_->on_python_call(done); });
  } else if (auto* exec = std::get_if<ProcExecEvent>(&event)) {
    watch_python(static_cast<pid_t>(exec->tgid));
  } else if (auto* exit = std::get_if<ProcExitEvent>(&event)) {
    if (python_) python_->process_exited(static_cast<pid_t>(exit->tgid));
  } else if (auto* loaded = std::get_if<LibraryLoadedEvent>(&event)) {
    ++library_stops_;
    uint64_t seen_ns = monotonic_ns();
    resolve_process(static_cast<pid_t>(loaded->tgid));
    // Never leave the job stopped: continue it whatever happened above.
    if (loaded->stopped) {
      kill(static_cast<pid_t>(loaded->tgid), SIGCONT);
      uint64_t now = monotonic_ns();
      uint64_t held = now > loaded->ts_ns ? now - loaded->ts_ns : 0;
      uint64_t waited = seen_ns > loaded->ts_ns ? seen_ns - loaded->ts_ns : 0;
      held_ns_ += held;
      log::debug("library load: process " + std::to_string(loaded->tgid) + " held " + std::to_string(held / 1000) +
                 " us, " + std::to_string(waited / 1000) + " us of it before bpfpads saw the stop");
    }
  }
}

namespace {

std::string seconds_text(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1f", s);
  return buf;
}

}  // namespace

void HookEngine::on_tick(double seconds, double job_cpu_seconds) {
  if (sink_) sink_->flush();
  if (!attacher_ || seconds <= 0) return;
  auto hits = attacher_->hits(static_cast<uint32_t>(catalog_.hooks().size()));
  last_hits_.resize(hits.size(), 0);
  // The guard weighs time, not count: a single-stepped probe costs 30x an emulated one,
  // and stays under any count while the job crawls.
  double job_cores = std::max(job_cpu_seconds / seconds, 0.0);
  for (size_t id = 0; id < hits.size(); ++id) {
    double rate = static_cast<double>(hits[id] - last_hits_[id]) / seconds;
    last_hits_[id] = hits[id];
    Hook* h = catalog_.find(static_cast<uint32_t>(id));
    if (!h || h->detached) continue;
    double cost_cores = rate * h->hit_cost_us / 1e6;
    // A floor of 1 % of a core: a mostly idle job's few calls are no cost to speak of.
    bool too_dear = cost_cores > 0.01 && cost_cores > options_.max_hook_cost * job_cores;
    if (!too_dear && rate <= options_.max_hook_rate) continue;
    attacher_->detach(h->id);
    h->detached = true;
    bool for_real = !attacher_->uprobe_multi() || h->usdt || h->single_stepped;
    char share[96];
    snprintf(share, sizeof(share), "%.0f%% of the job's CPU at ~%.1f us a hit%s", 100.0 * cost_cores / std::max(job_cores, 1e-9),
             h->hit_cost_us, h->single_stepped ? " (single-stepped probe)" : "");
    h->detached_reason = h->function + " fired " + std::to_string(static_cast<uint64_t>(rate)) + " times/s (" + share +
                         "), over " +
                         (rate > options_.max_hook_rate
                              ? "--max-hook-rate " + std::to_string(static_cast<uint64_t>(options_.max_hook_rate))
                              : "the " + std::to_string(static_cast<int>(options_.max_hook_cost * 100 + 0.5)) +
                                    "% --max-hook-cost") +
                         (for_real ? ": detached" : ": disabled (its uprobe_multi breakpoint stays)") + " after " +
                         seconds_text(run_start_ns_ ? static_cast<double>(monotonic_ns() - run_start_ns_) / 1e9 : 0) +
                         " s of the run";
    notes_.push_back(h->detached_reason);
    log::warning(h->detached_reason);
  }
}

void HookEngine::release_links(std::vector<BpfLinkPtr>& out) {
  if (attacher_) attacher_->release_links(out);
  if (library_watch_) library_watch_->release_links(out);
}

// What the Python tracker did, in the run: each target's outcome, and its counters.
void HookEngine::record_python() {
  int64_t now = now_ms();
  std::string text;
  for (const auto& n : python_->target_notes()) text += n + "\n";
  sink_->set_tag("bpfpads.python.targets", text.size() > 5000 ? text.substr(0, 5000) + "..." : text);
  sink_->log_metric("bpfpads/python/calls", static_cast<double>(python_->calls()), 0, now);
  // The job's only wait for Python targets: paused while watchpoints go in.
  sink_->log_metric("bpfpads/python/watchpoint_hits", static_cast<double>(python_->watchpoint_hits()), 0, now);
  sink_->log_metric("bpfpads/python/held_ms", static_cast<double>(python_->held_ns()) / 1e6, 0, now);
  // Watchpoint hits the hypervisor turned into SIGTRAPs: dropped by the trap shield;
  // each may be a call or return that no event reported (docs/python-tracing.md).
  sink_->log_metric("bpfpads/dropped/python_spurious_traps", static_cast<double>(python_->dropped_traps()), 0, now);
  // Arguments and instances freed (their memory reused) before they could be read.
  sink_->log_metric("bpfpads/dropped/python_values_gone", static_cast<double>(python_->values_gone()), 0, now);
  sink_->log_metric("bpfpads/python/repeated_entries", static_cast<double>(python_->repeated_entries()), 0, now);
  sink_->log_metric("bpfpads/python/hits_outside_the_eval_loop", static_cast<double>(python_->ignored_hits()), 0, now);
  sink_->log_metric("bpfpads/python/calls_of_other_functions", static_cast<double>(python_->calls_of_other_functions()),
                    0, now);
  sink_->log_metric("bpfpads/python/returns_of_calls_begun_before_the_watch",
                    static_cast<double>(python_->returns_without_entry()), 0, now);
  std::map<const LoadedMapping*, std::pair<size_t, size_t>> per_mapping;  // targets, called
  for (const auto& h : catalog_.hooks())
    if (h->python) {
      auto& [targets, called] = per_mapping[h->mapping];
      ++targets;
      called += dispatcher_->calls_seen(h->id) > 0;
    }
  for (const auto& [m, counts] : per_mapping)
    catalog_.set_python_use(m, python_->library_version(m->file.metadata.library.name), "Python: " + std::to_string(counts.second) + " of " + std::to_string(counts.first) +
                                   " targets called (bpfpads.python.targets says how each was found)",
                            counts.second);
}

void HookEngine::finish() {
  if (!dispatcher_ || !sink_) return;
  attacher();  // a load still running ends now: its outcome goes into the run
  if (python_) {
    python_->finish([this](const PythonCallDone& done) { dispatcher_->on_python_call(done); });
    record_python();
  }
  dispatcher_->finish();
  int64_t now = now_ms();
  std::vector<uint64_t> hits;
  if (attacher_) hits = attacher_->hits(static_cast<uint32_t>(catalog_.hooks().size()));
  for (const auto& h : catalog_.hooks()) {
    uint64_t n = h->id < hits.size() && !h->python ? hits[h->id] : dispatcher_->calls_seen(h->id);
    sink_->log_metric("bpfpads/hook_hits/" + h->function, static_cast<double>(n), 0, now);
  }
  sink_->log_metric("bpfpads/dropped/capture_values_cut", static_cast<double>(dispatcher_->cut_values()), 0, now);
  sink_->log_metric("bpfpads/dropped/capture_values_unreadable",
                    static_cast<double>(dispatcher_->unreadable_values()), 0, now);
  sink_->log_metric("bpfpads/calls_skipped_by_recursion_rules",
                    static_cast<double>(dispatcher_->calls_skipped_by_recursion_rules()), 0, now);
  sink_->log_metric("bpfpads/library_load_stops", static_cast<double>(library_stops_), 0, now);
  // What the stops cost the job: from the stop in the kernel to our SIGCONT.
  sink_->log_metric("bpfpads/library_load_held_ms", static_cast<double>(held_ns_) / 1e6, 0, now);
  sink_->flush();

  nlohmann::json uses = nlohmann::json::array();
  for (const auto& u : catalog_.mapping_uses()) {
    uses.push_back({{"file", u.name}, {"version", u.version}, {"library", u.library},
                    {"library_version", u.library_version}, {"status", u.status}, {"hooks", u.hooks}});
    sink_->set_tag("bpfpads.mapping." + u.name, "version " + u.version + "; " + u.library + " " +
                                                    u.library_version + "; " + u.status + "; " +
                                                    std::to_string(u.hooks) + " hooks");
  }
  if (!uses.empty()) sink_->set_tag("bpfpads.mappings", uses.dump());
  if (attacher_) {
    sink_->set_tag("bpfpads.hook_attach_mode", attacher_->uprobe_multi() ? "uprobe_multi" : "uprobe");
    sink_->set_tag("bpfpads.hook_attach", attacher_->mode_summary());
  }
  std::vector<std::string> notes = notes_;
  if (attacher_) notes.insert(notes.end(), attacher_->notes().begin(), attacher_->notes().end());
  for (const auto& u : catalog_.unmatched_entries()) notes.push_back(u);
  for (const auto& w : sink_->warnings()) notes.push_back(w);
  if (!notes.empty()) {
    std::string text;
    for (const auto& n : notes) text += n + "\n";
    if (text.size() > 7000) text = text.substr(0, 7000) + "...\n";
    sink_->set_tag("bpfpads.hook_notes", text);
  }
}

}  // namespace bpfpads
