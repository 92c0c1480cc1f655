// Small text helpers shared by the setup functions: number formatting in MLflow's
// units, and making values safe to show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/text.h"  // read_text_file, trim

namespace bpfpads {

// One decimal, independent of the locale: "16384.0".
std::string format_decimal(double value);

// Megabytes as MLflow counts them (1 MB = 1e6 bytes), one decimal.
std::string format_mb(std::uint64_t bytes);

// Quotes an argument for a POSIX shell only when it needs it, so that a command
// line reads as the user typed it and can be pasted back.
std::string shell_quote(std::string_view arg);
std::string join_command_line(const std::vector<std::string>& argv);

// Removes secrets from a remote URL: "https://user:token@host/x" -> "https://host/x".
// A bare ssh login ("ssh://git@host/x", "git@host:x") is not a secret and stays.
std::string strip_url_credentials(std::string_view url);

// "eth0=10.0.0.2,eth0=fd00::1"
std::string format_interface_addresses(
    const std::vector<std::pair<std::string, std::string>>& addresses);

}  // namespace bpfpads
