#include "setup/setup_text.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace bpfpads {

namespace {

bool is_shell_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
}

}  // namespace


std::string format_decimal(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 1);
  if (ec != std::errc{}) return "nan";
  return std::string(buf, end);
}

std::string format_mb(std::uint64_t bytes) {
  return format_decimal(static_cast<double>(bytes) / 1e6);
}

std::string shell_quote(std::string_view arg) {
  if (!arg.empty() && std::ranges::all_of(arg, is_shell_safe)) return std::string(arg);
  // Single quotes keep everything literal; a single quote itself becomes '\''.
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string join_command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(arg);
  }
  return out;
}

std::string strip_url_credentials(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);  // scp-like or a path
  std::string_view scheme = url.substr(0, scheme_end);
  auto authority_begin = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  // The last '@' ends the user info: an unencoded '@' in a password comes before it.
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string_view userinfo = authority.substr(0, at);
  // Over http(s) a lone user name is usually an access token; over ssh it is the
  // login ("git") and needed to reach the remote.
  bool is_http = scheme == "http" || scheme == "https";
  if (!is_http && userinfo.find(':') == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority_begin));
  out += url.substr(authority_begin + at + 1);
  return out;
}

std::string format_interface_addresses(
    const std::vector<std::pair<std::string, std::string>>& addresses) {
  std::string out;
  for (const auto& [iface, addr] : addresses) {
    if (!out.empty()) out += ',';
    out += iface + '=' + addr;
  }
  return out;
}

}  // namespace bpfpads
