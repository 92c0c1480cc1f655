// mac: the host's hardware address, like PyPads' MacAddress setup function.
#include <algorithm>
#include <system_error>

#include "setup/setup_function.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

bool is_zero_mac(std::string_view mac) {
  return mac.find_first_not_of("0:") == std::string_view::npos;
}

class MacSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "mac"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    const auto net_dir = ctx.sys_root / "class/net";
    std::error_code ec;
    std::vector<std::filesystem::path> interfaces;
    for (const auto& entry : std::filesystem::directory_iterator(net_dir, ec))
      interfaces.push_back(entry.path());
    if (ec) return make_errno_error("cannot list interfaces", ec.value(), net_dir.string());
    // Directory order is arbitrary; by name, "first" means the same on every run.
    std::ranges::sort(interfaces);

    // Physical NICs (those with a device link) first: bridges, veths and docker
    // interfaces get random addresses that change between boots.
    for (bool want_physical : {true, false}) {
      for (const auto& iface : interfaces) {
        if (iface.filename() == "lo") continue;
        if (want_physical && !std::filesystem::exists(iface / "device", ec)) continue;
        auto address = read_text_file(iface / "address");
        if (!address) continue;
        auto mac = trim(*address);
        if (mac.empty() || is_zero_mac(mac)) continue;
        out.tags.push_back({"bpfpads.host.mac", std::string(mac)});
        out.tags.push_back({"bpfpads.host.mac_interface", iface.filename().string()});
        return {};
      }
    }
    return {};  // no such interface (a bare network namespace): nothing to say
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(MacSetup);

}  // namespace bpfpads
