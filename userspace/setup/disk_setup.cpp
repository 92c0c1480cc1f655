// disk: size and free space of the file system the job works in, and which one it is.
#include <sys/statvfs.h>

#include <cerrno>
#include <system_error>

#include "setup/setup_function.h"
#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

// The job's own mount table when it has one: it may live in another mount
// namespace (containers, unshare) than bpfpads.
Result<std::string> read_mountinfo(const SetupContext& ctx) {
  if (ctx.pid > 0) {
    if (auto text = read_text_file(ctx.proc_root / std::to_string(ctx.pid) / "mountinfo"))
      return text;
  }
  return read_text_file(ctx.proc_root / "self/mountinfo");
}

class DiskSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "disk"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    if (ctx.cwd.empty()) return make_error("no working directory to look at");
    struct statvfs fs {};
    if (::statvfs(ctx.cwd.c_str(), &fs) != 0)
      return make_errno_error("statvfs failed", errno, ctx.cwd.string());
    // f_bavail, not f_bfree: what an unprivileged job can still write (as df shows).
    out.tags.push_back({"bpfpads.disk.total_mb",
                        format_mb(static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize)});
    out.tags.push_back({"bpfpads.disk.free_mb",
                        format_mb(static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize)});

    auto mountinfo = read_mountinfo(ctx);
    if (!mountinfo) return std::unexpected(mountinfo.error());
    // Mount points are real paths: resolve symlinks in cwd before matching.
    std::error_code ec;
    auto real_cwd = std::filesystem::weakly_canonical(ctx.cwd, ec);
    if (ec) real_cwd = std::filesystem::absolute(ctx.cwd, ec);
    auto mount = find_mount(parse_mountinfo(*mountinfo), real_cwd);
    if (!mount) return make_error("no mount holds it", real_cwd.string());
    out.tags.push_back({"bpfpads.disk.fs_type", mount->fs_type});
    out.tags.push_back({"bpfpads.disk.mount_point", mount->mount_point});
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(DiskSetup);

}  // namespace bpfpads
