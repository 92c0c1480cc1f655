// socket: host name and addresses, like PyPads' Socket setup function. No DNS:
// a run must not stall or leak queries at start, so the FQDN comes from /etc/hosts.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "setup/setup_function.h"
#include "setup/setup_parse.h"
#include "setup/setup_text.h"

namespace bpfpads {

namespace {

struct IfaddrsDeleter {
  void operator()(ifaddrs* list) const { ::freeifaddrs(list); }
};
using IfaddrsPtr = std::unique_ptr<ifaddrs, IfaddrsDeleter>;

// "iface=addr" pairs of the interfaces that are up and not loopback.
Result<std::vector<std::pair<std::string, std::string>>> interface_addresses() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return make_errno_error("getifaddrs failed", errno);
  IfaddrsPtr list(raw);
  std::vector<std::pair<std::string, std::string>> addresses;
  for (ifaddrs* it = list.get(); it; it = it->ifa_next) {
    if (!it->ifa_addr || !(it->ifa_flags & IFF_UP) || (it->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      if (!::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) continue;
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      // fe80:: exists on every link and reaches nothing beyond it: noise here.
      if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
      if (!::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text)) continue;
    } else {
      continue;
    }
    addresses.emplace_back(it->ifa_name, text);
  }
  return addresses;
}

class SocketSetup final : public SetupFunction {
 public:
  std::string_view name() const override { return "socket"; }

  Result<> collect(const SetupContext& ctx, SetupOutput& out) override {
    char host[HOST_NAME_MAX + 1] = {};
    if (::gethostname(host, sizeof host - 1) != 0)
      return make_errno_error("gethostname failed", errno);
    out.tags.push_back({"bpfpads.host.name", host});
    if (auto hosts = read_text_file(ctx.etc_root / "hosts"))
      if (auto fqdn = find_fqdn_in_hosts(*hosts, host))
        out.tags.push_back({"bpfpads.host.fqdn", *fqdn});
    auto addresses = interface_addresses();
    if (!addresses) return std::unexpected(addresses.error());
    if (!addresses->empty())
      out.tags.push_back({"bpfpads.host.addresses", format_interface_addresses(*addresses)});
    return {};
  }
};

}  // namespace

BPFPADS_REGISTER_SETUP_FUNCTION(SocketSetup);

}  // namespace bpfpads
