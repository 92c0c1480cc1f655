// Setup functions: PyPads' pre-run loggers (git, system, cpu, ram, disk, process,
// socket, mac). Each is one class registered with one line; a failing one adds a
// warning to the run and never stops it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/fs_identity.h"
#include "run/run_types.h"

namespace bpfpads {

// What the setup functions may look at: the job, not bpfpads itself.
struct SetupContext {
  pid_t pid = 0;                       // the job's root process (0 before it exists)
  std::filesystem::path cwd;           // the job's working directory
  std::vector<std::string> argv;       // the job's command line
  uid_t uid = 0;                       // the invoking user (the sudo caller under sudo)
  std::string user;                    // that user's name
  // Files in the job's folders (its git repository) are read as this identity: the
  // sudo caller, so that a symlink the job placed cannot show root's files. nullopt:
  // as bpfpads.
  std::optional<FsIdentity> file_identity;
  std::filesystem::path proc_root = "/proc";  // fakes point these elsewhere in unit tests
  std::filesystem::path sys_root = "/sys";
  std::filesystem::path etc_root = "/etc";
};

struct SetupArtifact {
  std::string rel_path;  // e.g. "bpfpads/git.diff"
  std::string bytes;
};

struct SetupOutput {
  std::vector<Tag> tags;
  std::vector<Param> params;
  std::vector<SetupArtifact> artifacts;
};

class SetupFunction {
 public:
  virtual ~SetupFunction() = default;
  virtual std::string_view name() const = 0;
  // Appends what it found to `out`. An error becomes a warning in the run.
  virtual Result<> collect(const SetupContext& ctx, SetupOutput& out) = 0;
};

using SetupFactory = std::function<std::unique_ptr<SetupFunction>()>;

// The registry: every setup function registers itself with one line,
//   BPFPADS_REGISTER_SETUP_FUNCTION(GitSetup);
// and runs in registration-name order.
class SetupRegistry {
 public:
  static SetupRegistry& instance();
  void add(std::string name, SetupFactory factory);
  std::vector<std::unique_ptr<SetupFunction>> create_all() const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, SetupFactory>> factories_;
};

struct SetupRegistration {
  SetupRegistration(std::string name, SetupFactory factory) {
    SetupRegistry::instance().add(std::move(name), std::move(factory));
  }
};

#define BPFPADS_REGISTER_SETUP_FUNCTION(Class)                                   \
  static const ::bpfpads::SetupRegistration bpfpads_setup_registration_##Class{ \
      #Class, [] { return std::make_unique<Class>(); }}

// Runs every registered function; failures become strings in `warnings`
// ("git: <why>"), never errors.
SetupOutput run_setup_functions(const SetupContext& ctx, std::vector<std::string>& warnings);

// The same for a given list, in its order: the overload above runs the registry's
// functions through it, and tests pass their own without touching the registry.
SetupOutput run_setup_functions(const SetupContext& ctx,
                                const std::vector<std::unique_ptr<SetupFunction>>& functions,
                                std::vector<std::string>& warnings);

}  // namespace bpfpads
