// system: the kernel (uname) and the distribution (os-release), like PyPads' uname logger.
#include <sys/utsname.h>

#include <cerrno>

#include "setup/setup_function.h"
#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

// os-release(5): /etc/os-release, else /usr/lib/os-release next to it.
std::optional<std::string> read_os_name(const std::filesystem::path& etc_root) {
  const std::filesystem::path candidates[] = {
      etc_root / "os-release", etc_root.parent_path() / "usr/lib/os-release"};
  for (const auto& path : candidates) {
    auto text = read_text_file(path);
    if (!text) continue;
    auto values = parse_os_release(*text);
    if (auto it = values.find("PRETTY_NAME"); it != values.end() && !it->second.empty())
      return it->second;
    std::string name = values.contains("NAME") ? values["NAME"] : "Linux";
    if (values.contains("VERSION")) name += " " + values["VERSION"];
    return name;
  }
  return std::nullopt;
}

class SystemSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "system"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    struct utsname uts {};
    if (::uname(&uts) != 0) return make_errno_error("uname failed", errno);
    out.tags.push_back({"bpfpads.system.os", read_os_name(ctx.etc_root).value_or(uts.sysname)});
    out.tags.push_back({"bpfpads.system.kernel", uts.release});
    out.tags.push_back({"bpfpads.system.kernel_version", uts.version});
    out.tags.push_back({"bpfpads.system.machine", uts.machine});
    // Optional: tells apart runs on the same host across reboots.
    if (auto boot_id = read_text_file(ctx.proc_root / "sys/kernel/random/boot_id"))
      if (auto id = trim(*boot_id); !id.empty())
        out.tags.push_back({"bpfpads.system.boot_id", std::string(id)});
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(SystemSetup);

}  // namespace bpfpads
