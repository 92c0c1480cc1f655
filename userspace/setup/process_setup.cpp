// process: who ran what where, like PyPads' Pid setup function.
#include <pwd.h>
#include <unistd.h>

#include <system_error>

#include "common/log.h"
#include "setup/setup_function.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

std::string user_name(uid_t uid) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return {};
  return found->pw_name;
}

class ProcessSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "process"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    // pid 0 means the job does not exist yet: no pid and no executable to report.
    if (ctx.pid > 0) out.tags.push_back({"bpfpads.process.pid", std::to_string(ctx.pid)});
    if (!ctx.argv.empty())
      out.tags.push_back({"bpfpads.process.command_line", join_command_line(ctx.argv)});
    if (!ctx.cwd.empty()) out.tags.push_back({"bpfpads.process.cwd", ctx.cwd.string()});
    std::string user = ctx.user.empty() ? user_name(ctx.uid) : ctx.user;
    if (!user.empty()) out.tags.push_back({"bpfpads.process.user", user});
    out.tags.push_back({"bpfpads.process.uid", std::to_string(ctx.uid)});
    if (ctx.pid > 0) {
      const auto exe = ctx.proc_root / std::to_string(ctx.pid) / "exe";
      std::error_code ec;
      auto target = std::filesystem::read_symlink(exe, ec);
      // A short job may be gone already; argv still says what ran.
      if (ec)
        log::debug("setup process: cannot read " + exe.string() + ": " + ec.message());
      else
        out.tags.push_back({"bpfpads.process.executable", target.string()});
    }
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(ProcessSetup);

}  // namespace bpfpads
