// Finds the ELF files that {lib:NAME} and {exe:GLOB} targets name: in a
// running process (from /proc/PID/maps) or on disk before it starts.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

// One line of /proc/PID/maps with a path.
struct MapsEntry {
  uint64_t start = 0, end = 0, offset = 0;
  std::string perms;  // "r-xp"
  uint64_t inode = 0;
  std::string path;   // may end in " (deleted)"
};

std::vector<MapsEntry> parse_proc_maps(std::string_view text);

struct MappedFile {
  std::string path;       // as the process sees it ("/usr/lib/libfoo.so")
  std::string open_path;  // "/proc/PID/root/usr/lib/libfoo.so": reachable from our
                          // mount namespace, so containers work
  std::string map_files_path;  // "/proc/PID/map_files/START-END" of its first mapping;
                               // works for deleted files (needs CAP_SYS_ADMIN)
  uint64_t inode = 0;
  bool deleted = false;
};

// Distinct ELF files with executable mappings, in address order. `proc_root`
// is "/proc" except in tests.
Result<std::vector<MappedFile>> mapped_elf_files(pid_t pid, const std::string& proc_root = "/proc");
// The process's executable (readlink /proc/PID/exe).
Result<std::string> process_executable(pid_t pid, const std::string& proc_root = "/proc");

// {lib:NAME}: the soname or the file name starts with NAME.
bool library_matches(std::string_view name, std::string_view path, std::string_view soname);
// Reads DT_SONAME; empty when absent or not ELF.
std::string read_soname(const std::string& path);
// {exe:GLOB}: fnmatch against the whole path when GLOB has a '/', else against
// the file name.
bool exe_matches(const std::string& glob, const std::string& exe_path);

// The libraries a running process has mapped that match {lib:NAME}.
Result<std::vector<MappedFile>> find_mapped_library(pid_t pid, std::string_view name,
                                                    const std::string& proc_root = "/proc");

// Standard search directories (multiarch first), each under `sysroot`.
std::vector<std::string> standard_library_dirs(const std::string& sysroot = "");

// On-disk candidates for {lib:NAME} before a process exists, without ldconfig:
// the executable's DT_NEEDED entries that match NAME, looked up in its
// DT_RPATH/DT_RUNPATH ($ORIGIN expanded) and then the standard dirs; then any
// file in those dirs whose name starts with NAME. Only ELF files of the
// executable's (or, without one, this machine's) class and architecture.
// Best candidate first; an error when nothing matched. With scan_dirs false only the
// DT_NEEDED entries count: what the executable loads at start, where a run can watch
// every later load instead of probing every matching file on the machine.
Result<std::vector<std::string>> find_library(std::string_view name,
                                              const std::string& executable = "",
                                              const std::string& sysroot = "",
                                              bool scan_dirs = true);

}  // namespace bpfpads
