// The bpfpads command: argument parsing, exit codes. Everything else lives in
// userspace/; exceptions stop here.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/log.h"
#include "kernel/forced_fallbacks.h"
#include "mappings_command.h"
#include "run/repair_command.h"
#include "run/session.h"
#include "store/spool_sync.h"

namespace {

constexpr const char* kRunExamples = R"EX(
Examples:
  sudo bpfpads run -- python3 train.py
  sudo bpfpads run --experiment churn --run-name baseline -- ./train --epochs 10
  sudo bpfpads run --tracking-uri file:./mlruns --interval 0.5 -- make train
Then, in the same folder:  mlflow ui   (the run is in ./mlflow.db))EX";

constexpr const char* kAttachExamples = R"EX(
Examples:
  sudo bpfpads attach --pid 4242
  sudo bpfpads attach --pid "$(pgrep -f train.py)" --run-name resumed-job
The run ends when the process and all its descendants have exited, or on Ctrl-C
(the job keeps running; the run is marked KILLED).)EX";

struct CommonFlags {
  std::string tracking_uri;
  std::string experiment;
  std::string run_name;
  double interval_s = 1.0;
  bool no_children = false;
  bool no_log_on_failure = false;
  bool verbose = false;
  bool quiet = false;
  std::vector<std::string> tags;
  std::vector<std::string> mappings;
  std::string config;
  bool no_default_mappings = false;
  bool offline_ok = false;
  double max_hook_rate = 100000;
  double max_hook_cost_percent = 5;
  bool no_redact = false;
  std::vector<std::string> redact;
};

void add_common_flags(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("--tracking-uri", f.tracking_uri,
                  "Where the run goes: sqlite:///mlflow.db (default, or $MLFLOW_TRACKING_URI), "
                  "file:./mlruns, or a folder");
  cmd->add_option("--experiment", f.experiment,
                  "Experiment name (default $MLFLOW_EXPERIMENT_NAME, else Default); created if missing");
  cmd->add_option("--run-name", f.run_name, "Run name (default: generated)");
  cmd->add_option("--interval", f.interval_s, "Seconds between hardware samples")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  cmd->add_option("--tag", f.tags, "Extra run tag KEY=VALUE (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--no-children", f.no_children, "Track only the first process, not its children");
  cmd->add_flag("--no-log-on-failure", f.no_log_on_failure,
                "Do not keep the tail of stdout/stderr when the job fails");
  cmd->add_option("--mapping", f.mappings, "Mapping file: what to hook (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(CLI::ExistingFile);
  cmd->add_option("--config", f.config, "Pipeline config: hooks -> event types, PyPads' config switches")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-default-mappings", f.no_default_mappings, "Do not load the shipped mapping files");
  cmd->add_flag("--offline-ok", f.offline_ok,
                "With an http(s) tracking URI: if the server cannot be reached, spool the run locally "
                "(ship it later with 'bpfpads sync') instead of refusing to start");
  cmd->add_option("--max-hook-rate", f.max_hook_rate,
                  "Detach a hook that fires more often than this per second (bounds the job's slowdown)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-hook-cost", f.max_hook_cost_percent,
                  "Detach a hook whose traps take more than this share of the job's CPU, in percent "
                  "(single-stepped probes cost ~30x emulated ones)")
      ->capture_default_str();
  cmd->add_flag("--no-redact", f.no_redact,
                "Keep secrets as they are: by default passwords, tokens and keys in command lines, output tails, "
                "captured values and URLs are written as ***");
  cmd->add_option("--redact", f.redact, "Also replace what this regular expression matches by *** (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("-v,--verbose", f.verbose, "Print debug messages (libbpf included)");
  cmd->add_flag("-q,--quiet", f.quiet, "No summary at the end");
}

bool apply_common_flags(const CommonFlags& f, bpfpads::SessionOptions& o) {
  // CLI11's range checks let NaN through (every comparison with it is false).
  if (!std::isfinite(f.interval_s) || f.interval_s < 0.05 || f.interval_s > 3600) {
    bpfpads::log::error("--interval: must be a number of seconds from 0.05 to 3600");
    return false;
  }
  if (!std::isfinite(f.max_hook_rate) || f.max_hook_rate <= 0) {
    bpfpads::log::error("--max-hook-rate: must be a positive number of calls per second");
    return false;
  }
  o.tracking_uri = f.tracking_uri;
  o.experiment_name = f.experiment;
  o.run_name = f.run_name;
  o.interval = std::chrono::milliseconds(static_cast<long>(f.interval_s * 1000));
  o.follow_children = !f.no_children;
  o.log_on_failure = !f.no_log_on_failure;
  o.quiet = f.quiet;
  o.offline_ok = f.offline_ok;
  o.hooks.mapping_files = f.mappings;
  o.hooks.config_file = f.config;
  o.hooks.include_default_mappings = !f.no_default_mappings;
  o.hooks.max_hook_rate = f.max_hook_rate;
  if (!std::isfinite(f.max_hook_cost_percent) || f.max_hook_cost_percent <= 0 || f.max_hook_cost_percent > 100) {
    bpfpads::log::error("--max-hook-cost: must be a percentage above 0 and at most 100");
    return false;
  }
  o.hooks.max_hook_cost = f.max_hook_cost_percent / 100.0;
  o.redact = !f.no_redact;
  o.redact_patterns = f.redact;
  for (const auto& t : f.tags) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      bpfpads::log::error("--tag " + t + ": expected KEY=VALUE");
      return false;
    }
    o.extra_tags.push_back({t.substr(0, eq), t.substr(eq + 1)});
  }
  if (f.verbose) bpfpads::log::set_level(bpfpads::log::Level::Debug);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bpfpads: track ML experiments from outside the process, with eBPF, into MLflow"};
  app.name("bpfpads");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("bpfpads ") + BPFPADS_VERSION_STRING);

  CommonFlags run_flags, attach_flags;
  std::vector<std::string> command;
  bool keep_root = false;
  bool strict = false;
  CLI::App* run = app.add_subcommand("run", "Run a command and record it as an MLflow run");
  add_common_flags(run, run_flags);
  run->add_flag("--as-root", keep_root,
                "Under sudo, run the job as root (default: as the user who called sudo)");
  run->add_flag("--strict", strict,
                "A path of a --mapping file that matches nothing is an error: the job does not start");
  run->add_option("command", command, "The command to run, after --");
  // Without "--", the first word that is not an option starts the command.
  run->prefix_command();
  run->footer(kRunExamples);

  pid_t pid = 0;
  CLI::App* attach = app.add_subcommand("attach", "Adopt a running process and its descendants");
  add_common_flags(attach, attach_flags);
  attach->add_option("-p,--pid", pid, "Process to adopt")->required()->check(CLI::PositiveNumber);
  bool force_attach = false;
  attach->add_flag("--force", force_attach,
                   "Adopt PID 1, a kernel thread, or bpfpads' own ancestor (refused otherwise)");
  attach->footer(kAttachExamples);

  // Everything after the first "--" is the job's, untouched: CLI11 would otherwise
  // read the job's own options (`-- train --lr 1`) as ours after a repeatable option.
  std::vector<std::string> ours;
  std::vector<std::string> job;
  bool seen_separator = false;
  for (int i = 1; i < argc; ++i) {
    if (!seen_separator && std::string(argv[i]) == "--") {
      seen_separator = true;
      continue;
    }
    (seen_separator ? job : ours).push_back(argv[i]);
  }
  std::reverse(ours.begin(), ours.end());  // CLI11 takes the arguments reversed
  bpfpads::cli::MappingsCommand mappings_cmd(app);

  bpfpads::SyncOptions sync_options;
  double sync_wait_s = 60;
  CLI::App* sync = app.add_subcommand("sync", "Ship runs spooled for an MLflow tracking server");
  sync->add_option("--tracking-uri", sync_options.tracking_uri,
                   "Only runs for this server (default: every spooled run, each to its own server)");
  sync->add_option("--spool-dir", sync_options.spool_dir, "Spool folder (default $BPFPADS_SPOOL_DIR, "
                   "/var/lib/bpfpads/spool as root, else ~/.local/share/bpfpads/spool)");
  sync->add_option("--max-wait", sync_wait_s, "Seconds to keep retrying")->capture_default_str();
  sync->add_flag("-q,--quiet", sync_options.quiet, "Only the summary line");

  std::string repair_uri;
  CLI::App* repair = app.add_subcommand(
      "repair", "End runs left RUNNING by a bpfpads that died with its guard (KILLED, bpfpads.incomplete)");
  repair->add_option("--tracking-uri", repair_uri, "The store (default $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)");

  try {
    app.parse(ours);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (mappings_cmd.parsed()) return mappings_cmd.execute();
  if (repair->parsed()) return bpfpads::repair_command(repair_uri);
  if (sync->parsed()) {
    sync_options.max_wait = std::chrono::milliseconds(static_cast<long>(sync_wait_s * 1000));
    return bpfpads::sync_spool(sync_options);
  }
  if (run->parsed()) {
    auto rest = run->remaining();
    command.insert(command.end(), rest.begin(), rest.end());
    command.insert(command.end(), job.begin(), job.end());
    if (command.empty()) {
      bpfpads::log::error("run: no command given; usage: bpfpads run [OPTIONS] -- CMD [ARGS...]");
      return 2;
    }
  } else if (!job.empty()) {
    bpfpads::log::error("attach takes no command after --");
    return 2;
  }

  if (auto forced = bpfpads::check_forced_fallbacks(); !forced) {
    bpfpads::log::error(forced.error().describe());
    return 2;
  }
  bpfpads::SessionOptions options;
  try {
    if (run->parsed()) {
      if (!apply_common_flags(run_flags, options)) return 2;
      options.mode = bpfpads::SessionMode::Run;
      options.command = command;
      options.keep_root = keep_root;
      options.hooks.strict = strict;
    } else {
      if (!apply_common_flags(attach_flags, options)) return 2;
      options.mode = bpfpads::SessionMode::Attach;
      options.attach_pid = pid;
      options.force_attach = force_attach;
    }
    return bpfpads::run_session(options);
  } catch (const std::exception& e) {
    bpfpads::log::error(std::string("unexpected failure: ") + e.what());
    return 2;
  }
}
