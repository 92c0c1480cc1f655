// Mapping files at work in a run: loads them, resolves their native targets in the
// files the job maps (before it runs, and at a dlopen of an object a target could
// select, while the loader holds the process stopped), attaches the hooks, feeds hooked calls to the pipeline,
// guards against hooks that fire too often, and records what it did in the run.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "hooks/hook_addresses.h"
#include "hooks/hook_attacher.h"
#include "hooks/hook_catalog.h"
#include "hooks/library_watch.h"
#include "kernel/bpf_programs.h"
#include "kernel/hook_programs.h"
#include "kernel/records.h"
#include "pipeline/dispatcher.h"
#include "pipeline/run_sink.h"
#include "python/python_tracker.h"

namespace bpfpads {

class RunRecorder;

struct HookEngineOptions {
  std::vector<std::string> mapping_files;  // --mapping
  std::string config_file;                 // --config
  bool include_default_mappings = true;    // the shipped mappings/ (unless config says no)
  double max_hook_rate = 100000;           // hits per second before a hook is detached
  double max_hook_cost = 0.05;             // share of the job's CPU a hook's traps may take
  bool strict = false;                     // run --strict: see HookEngine::check_strict()
};

// Where shipped mapping files live: $BPFPADS_MAPPINGS_DIR, <prefix>/share/bpfpads/
// mappings next to the executable, or the source tree's mappings/.
std::vector<std::string> shipped_mapping_files();

// Reads mapping files; every problem is reported as file:line:col.
Result<std::vector<LoadedMapping>> load_mapping_files(const std::vector<std::string>& paths, bool shipped);

class HookEngine {
 public:
  static Result<std::unique_ptr<HookEngine>> load(const HookEngineOptions& options);

  bool active() const { return catalog_.has_native_targets(); }
  // Python targets: watched by the Python tracker (python/python_tracker.h), which
  // start_python() starts once the shared maps exist (its BPF program is loaded on
  // the tracker's own thread).
  bool python_active() const { return !python_targets_.empty(); }
  void start_python();
  // A process of the job that may be (or become) a Python interpreter: at its exec,
  // and under attach the process attached to and its descendants.
  void watch_python(pid_t pid);
  // Readable when a watched Python process is exiting: read the ring buffer, then
  // python_drained() (its memory is readable until then).
  int python_wakeup_fd() const { return python_ ? python_->wakeup_fd() : -1; }
  // How often the ring buffer should be read without a wake-up: -1, never.
  int python_poll_ms() const { return python_ ? 5 : -1; }
  void python_drained() {
    if (python_) python_->drained();
  }
  const PipelineConfig& config() const { return catalog_.config(); }
  // Sets what the BPF object must load for the hooks.
  void configure(BpfOptions& options) const;

  // The maps the hook programs share with the core object; before anything loads them.
  void use_maps(const SharedMaps& maps) { shared_maps_ = &maps; }
  // After the core object is loaded: watch the dynamic loader. The hook programs are
  // loaded by the first hook to attach, or by load_programs_in_background().
  Result<> attach(BpfPrograms& programs, const std::string& executable);
  // The hook programs are verified on a thread of their own: once the job runs,
  // beside it instead of before it (a target library is seldom its first act), or
  // beside the core object's own load when hooks are likely before the start.
  // Nothing to load without native targets.
  void load_programs_in_background();
  // Whether hooks may attach before the job starts (executable targets): then their
  // programs should start loading as soon as the core object is loaded.
  bool hooks_likely_before_start() const { return has_exe_targets_; }
  // Files known before the job starts: its executable and the libraries it will load.
  void resolve_before_start(const std::string& executable);
  // After resolve_before_start(): every path of a --mapping file that matched
  // nothing (file:line, near matches) is a warning, or with --strict one error.
  // Shipped mapping files are left to the run's notes (their library versions are
  // not the user's to fix); libraries first found at a dlopen cannot be judged yet.
  Result<> check_unmatched() const;
  // Files a running process maps now (attach mode; after a library load).
  void resolve_process(pid_t pid);

  void start_run(RunRecorder& recorder, int64_t mono_to_wall_us);
  void on_event(const KernelEvent& event);
  // `job_cpu_seconds`: the CPU the tracked tree used in that time (the traps are in it).
  void on_tick(double seconds_since_last, double job_cpu_seconds);
  // The job is done: every probe of the hooks and the loader watch goes to `out`.
  void release_links(std::vector<BpfLinkPtr>& out);
  void finish();
  // What the hook programs do without on this kernel, or that they are off; known
  // once their load has ended (it waits for that).
  std::vector<std::string> degradations();

 private:
  HookEngine(HookCatalog catalog, const HookEngineOptions& options);
  // The attacher over the loaded hook programs: waits for their load the first time;
  // null when they are not loading or failed to load (hooks are off, noted).
  HookAttacher* attacher();
  void attach_hooks(HookAttacher& attacher, const std::vector<Hook*>& hooks);
  void attach_failed(Hook& h, const Error& error);
  bool could_match_library(const std::string& path) const;
  void resolve(const std::string& open_path, const std::string& display, bool is_executable);
  // No attach cookies: tell the BPF side where this process has each uprobe hook.
  void publish_addresses(const std::vector<MapsEntry>& maps);
  void record_python();

  HookCatalog catalog_;
  HookEngineOptions options_;
  const SharedMaps* shared_maps_ = nullptr;  // what the hook programs share with the core
  std::unique_ptr<HookProgramsLoad> programs_load_;
  std::unique_ptr<HookAttacher> attacher_;
  std::string programs_failed_;                  // why the hook programs are off, when they are
  std::vector<std::string> programs_degraded_;   // what they do without on this kernel
  std::unique_ptr<LibraryWatch> library_watch_;
  bool loads_watched_ = false;  // the loader's load events stop the job for probing
  std::unique_ptr<RunSink> sink_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<uint64_t> last_hits_;
  std::vector<std::string> notes_;  // attach failures, detached hooks
  std::vector<std::string> python_notes_;  // Python entries that cannot be tracked, and why
  std::vector<PythonTarget> python_targets_;
  std::unique_ptr<PythonTracker> python_;
  uint64_t library_stops_ = 0;
  uint64_t held_ns_ = 0;  // the job stopped at library loads, in total
  uint64_t run_start_ns_ = 0;  // start_run(): when a detached hook says it went
  std::set<std::string> looked_at_;          // "path#inode" of files already resolved
  std::vector<std::string> library_names_;   // every {lib:NAME}
  bool has_exe_targets_ = false;
  bool by_address_ = false;                        // hook ids from hook_addrs, not cookies
  std::vector<ProbedOffset> probed_;               // every attached uprobe, by file
  std::unordered_map<uint64_t, uint32_t> addresses_;  // what hook_addrs holds
};

}  // namespace bpfpads
