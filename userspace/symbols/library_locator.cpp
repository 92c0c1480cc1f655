#include "symbols/library_locator.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <fstream>
#include <set>
#include <sstream>

#include "kernel/bpf_handles.h"
#include "symbols/elf_file.h"

namespace bpfpads {
namespace {

constexpr std::string_view kDeleted = " (deleted)";

#if defined(__x86_64__)
constexpr const char* kMultiarch = "x86_64-linux-gnu";
constexpr int kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr const char* kMultiarch = "aarch64-linux-gnu";
constexpr int kHostMachine = EM_AARCH64;
#else
constexpr const char* kMultiarch = "";
constexpr int kHostMachine = EM_NONE;
#endif

std::string_view basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool has_elf_magic(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char magic[4];
  return ::pread(fd.get(), magic, 4, 0) == 4 && magic[0] == 0x7f && magic[1] == 'E' &&
         magic[2] == 'L' && magic[3] == 'F';
}

struct Abi {
  unsigned char elf_class = ELFCLASS64;
  int machine = kHostMachine;
};

// A shared object the executable (or this machine) could load.
bool is_loadable_library(const std::string& path, const Abi& abi) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto file = ElfFile::open(path);
  if (!file) return false;
  const GElf_Ehdr& h = file->header();
  return h.e_type == ET_DYN && h.e_ident[EI_CLASS] == abi.elf_class &&
         (abi.machine == EM_NONE || h.e_machine == abi.machine);
}

std::string expand_origin(const std::string& entry, const std::string& origin) {
  std::string out = entry;
  for (std::string_view token : {"${ORIGIN}", "$ORIGIN"}) {
    size_t at;
    while ((at = out.find(token)) != std::string::npos) out.replace(at, token.size(), origin);
  }
  return out;
}

// Collects candidates once each, by inode: /lib and /usr/lib are one
// directory on merged-/usr systems, and libfoo.so -> libfoo.so.1 symlinks
// name one file.
class Candidates {
 public:
  void add(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    if (seen_.insert({st.st_dev, st.st_ino}).second) paths_.push_back(path);
  }
  std::vector<std::string>& paths() { return paths_; }

 private:
  std::set<std::pair<dev_t, ino_t>> seen_;
  std::vector<std::string> paths_;
};

}  // namespace

std::vector<MapsEntry> parse_proc_maps(std::string_view text) {
  std::vector<MapsEntry> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    MapsEntry e;
    char perms[8] = {};
    char dev[32] = {};
    int consumed = 0;
    unsigned long long start, end, offset, inode;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %31s %llu %n", &start, &end, perms, &offset,
                    dev, &inode, &consumed) < 6)
      continue;
    e.start = start;
    e.end = end;
    e.offset = offset;
    e.inode = inode;
    e.perms = perms;
    if (consumed > 0 && size_t(consumed) <= line.size()) e.path = line.substr(size_t(consumed));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<MappedFile>> mapped_elf_files(pid_t pid, const std::string& proc_root) {
  const std::string proc = proc_root + "/" + std::to_string(pid);
  std::ifstream in(proc + "/maps");
  if (!in) return make_errno_error("cannot read memory maps", errno, proc + "/maps");
  std::stringstream text;
  text << in.rdbuf();

  std::vector<MappedFile> out;
  std::set<std::string> seen;
  for (const MapsEntry& e : parse_proc_maps(text.str())) {
    if (e.path.empty() || e.path[0] != '/' || e.perms.find('x') == std::string::npos) continue;
    MappedFile f;
    f.path = e.path;
    if (f.path.ends_with(kDeleted)) {
      f.deleted = true;
      f.path.resize(f.path.size() - kDeleted.size());
    }
    if (!seen.insert(f.path).second) continue;
    f.inode = e.inode;
    f.open_path = proc + "/root" + f.path;
    char range[64];
    std::snprintf(range, sizeof range, "/map_files/%llx-%llx", (unsigned long long)e.start,
                  (unsigned long long)e.end);
    f.map_files_path = proc + range;
    // Executable mappings of non-ELF files (JIT caches, DAX) are not targets.
    // When neither path can be read (permissions) the entry stays and opening
    // it later reports why.
    bool readable = ::access(f.open_path.c_str(), R_OK) == 0;
    if (readable && !f.deleted && !has_elf_magic(f.open_path)) continue;
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::string> process_executable(pid_t pid, const std::string& proc_root) {
  std::string link = proc_root + "/" + std::to_string(pid) + "/exe";
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) return make_errno_error("cannot read the executable link", errno, link);
  std::string path(buf, size_t(n));
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

bool library_matches(std::string_view name, std::string_view path, std::string_view soname) {
  if (name.empty()) return false;
  return basename_of(path).starts_with(name) || (!soname.empty() && soname.starts_with(name));
}

std::string read_soname(const std::string& path) {
  auto file = ElfFile::open(path);
  return file ? read_dynamic_info(*file).soname : std::string();
}

bool exe_matches(const std::string& glob, const std::string& exe_path) {
  if (glob.find('/') != std::string::npos) return ::fnmatch(glob.c_str(), exe_path.c_str(), 0) == 0;
  std::string base(basename_of(exe_path));
  return ::fnmatch(glob.c_str(), base.c_str(), 0) == 0;
}

Result<std::vector<MappedFile>> find_mapped_library(pid_t pid, std::string_view name,
                                                    const std::string& proc_root) {
  auto files = mapped_elf_files(pid, proc_root);
  if (!files) return std::unexpected(files.error());
  std::vector<MappedFile> out;
  for (auto& f : *files) {
    if (library_matches(name, f.path, "") || library_matches(name, f.path, read_soname(f.open_path)))
      out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> standard_library_dirs(const std::string& sysroot) {
  std::vector<std::string> dirs;
  std::string arch = kMultiarch;
  // Debian's ld.so.conf order: local multiarch and local first, then system.
  if (!arch.empty()) dirs.push_back("/usr/local/lib/" + arch);
  dirs.push_back("/usr/local/lib");
  if (!arch.empty()) {
    dirs.push_back("/lib/" + arch);
    dirs.push_back("/usr/lib/" + arch);
  }
  for (const char* d : {"/lib64", "/usr/lib64", "/lib", "/usr/lib"}) dirs.push_back(d);
  for (auto& d : dirs) d = sysroot + d;
  return dirs;
}

Result<std::vector<std::string>> find_library(std::string_view name, const std::string& executable,
                                              const std::string& sysroot, bool scan_dirs) {
  if (name.empty()) return make_error("empty library name");
  Abi abi;
  DynamicInfo dyn;
  std::vector<std::string> dirs;
  if (!executable.empty()) {
    auto exe = ElfFile::open(executable);
    if (!exe) return std::unexpected(exe.error());
    abi.elf_class = exe->header().e_ident[EI_CLASS];
    abi.machine = exe->header().e_machine;
    dyn = read_dynamic_info(*exe);
    char real[PATH_MAX];
    std::string origin = dirname_of(::realpath(executable.c_str(), real) ? real : executable);
    // ld.so ignores DT_RPATH when DT_RUNPATH is present.
    for (const auto& entry : dyn.runpath.empty() ? dyn.rpath : dyn.runpath) {
      std::string d = expand_origin(entry, origin);
      dirs.push_back(entry.find("ORIGIN") != std::string::npos ? d : sysroot + d);
    }
  }
  for (auto& d : standard_library_dirs(sysroot)) dirs.push_back(std::move(d));

  Candidates found;
  for (const auto& needed : dyn.needed) {
    if (!library_matches(name, needed, "")) continue;
    for (const auto& dir : dirs) {
      std::string path = dir + "/" + needed;
      if (is_loadable_library(path, abi)) {
        found.add(path);
        break;  // the loader stops at the first hit, so do we
      }
    }
  }
  for (const auto& dir : scan_dirs ? dirs : std::vector<std::string>{}) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* ent = ::readdir(d.get()))
      if (std::string_view(ent->d_name).starts_with(name)) names.emplace_back(ent->d_name);
    // Shortest first: "libfoo.so.1" before "libfoo.so.1.2.3" (same file anyway).
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    for (const auto& n : names) {
      std::string path = dir + "/" + n;
      if (is_loadable_library(path, abi)) found.add(path);
    }
  }
  if (found.paths().empty())
    return make_error("no shared library named " + std::string(name) + "* in the search path",
                      executable.empty() ? std::string(name) : executable);
  return std::move(found.paths());
}

}  // namespace bpfpads
