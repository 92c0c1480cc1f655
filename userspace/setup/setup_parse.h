// Parsers for the kernel and /etc text files the setup functions read. Pure
// functions of the text, so the unit tests feed them fixtures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfpads {

struct CpuInfo {
  std::string model;           // "model name"; other architectures name it differently
  int logical_cores = 0;       // "processor" entries
  int physical_cores = 0;      // unique (physical id, core id); 0 when cpuinfo lacks them
  std::optional<double> mhz;   // the first "cpu MHz"
};
CpuInfo parse_cpuinfo(std::string_view text);

struct MemInfo {
  std::optional<std::uint64_t> mem_total_bytes;
  std::optional<std::uint64_t> swap_total_bytes;
  std::optional<std::uint64_t> mem_available_bytes;
};
MemInfo parse_meminfo(std::string_view text);

// KEY=value lines with shell-style quoting, as os-release(5) defines them.
std::map<std::string, std::string> parse_os_release(std::string_view text);

struct MountEntry {
  std::string mount_point;
  std::string fs_type;
  std::string source;
};
// /proc/<pid>/mountinfo, in file order (later entries are mounted on top).
std::vector<MountEntry> parse_mountinfo(std::string_view text);
// The mount that holds `path`: the longest mount point that is a path prefix of
// it; among equal ones the last, which is the one on top.
std::optional<MountEntry> find_mount(const std::vector<MountEntry>& mounts,
                                     const std::filesystem::path& path);

// The fully qualified name of `hostname` from an /etc/hosts text, when a line lists
// it together with a dotted name. Reading the file avoids DNS lookups at run start.
std::optional<std::string> find_fqdn_in_hosts(std::string_view hosts, std::string_view hostname);

}  // namespace bpfpads
