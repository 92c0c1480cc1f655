#include "setup/setup_parse.h"

#include <charconv>
#include <set>
#include <utility>

#include "setup/setup_text.h"

namespace bpfpads {

namespace {

// Calls fn(line) for each line, without the newline.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// "key<spaces>: value" -> {key, value}, both trimmed; nullopt without a colon.
std::optional<std::pair<std::string_view, std::string_view>> split_key_value(
    std::string_view line, char sep) {
  auto pos = line.find(sep);
  if (pos == std::string_view::npos) return std::nullopt;
  return std::pair{trim(line.substr(0, pos)), trim(line.substr(pos + 1))};
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < line.size()) {
    auto begin = line.find_first_not_of(" \t", pos);
    if (begin == std::string_view::npos) break;
    auto end = line.find_first_of(" \t", begin);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(begin, end - begin));
    pos = end;
  }
  return fields;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      auto digits = text.substr(i + 1, 3);
      int value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + 3, value, 8);
      if (ec == std::errc{} && end == digits.data() + 3) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// os-release values: "double quoted" (with \ escapes), 'single quoted' or bare.
std::string unquote_shell_value(std::string_view value) {
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
    return std::string(value.substr(1, value.size() - 2));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    std::string out;
    value = value.substr(1, value.size() - 2);
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\\' && i + 1 < value.size()) ++i;
      out += value[i];
    }
    return out;
  }
  return std::string(value);
}

bool is_path_prefix(const std::string& prefix, const std::string& path) {
  if (prefix == "/") return true;
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo info;
  std::set<std::pair<std::string, std::string>> cores;
  std::string model_fallback;
  std::optional<std::string> physical_id, core_id;
  auto flush_block = [&] {
    if (physical_id && core_id) cores.emplace(*physical_id, *core_id);
    physical_id.reset();
    core_id.reset();
  };
  for_each_line(text, [&](std::string_view line) {
    if (trim(line).empty()) {
      flush_block();
      return;
    }
    auto kv = split_key_value(line, ':');
    if (!kv) return;
    auto [key, value] = *kv;
    if (key == "processor") {
      flush_block();  // also when blocks are not separated by blank lines
      ++info.logical_cores;
    } else if (key == "model name") {
      if (info.model.empty()) info.model = value;
    } else if (key == "Hardware" || key == "cpu model" || key == "cpu" || key == "uarch") {
      // ARM32, MIPS, POWER and RISC-V name the CPU under these keys.
      if (model_fallback.empty()) model_fallback = value;
    } else if (key == "physical id") {
      physical_id = std::string(value);
    } else if (key == "core id") {
      core_id = std::string(value);
    } else if (key == "cpu MHz") {
      if (!info.mhz) info.mhz = parse_double(value);
    }
  });
  flush_block();
  if (info.model.empty()) info.model = model_fallback;
  info.physical_cores = static_cast<int>(cores.size());
  return info;
}

MemInfo parse_meminfo(std::string_view text) {
  MemInfo info;
  for_each_line(text, [&](std::string_view line) {
    auto kv = split_key_value(line, ':');
    if (!kv) return;
    auto [key, value] = *kv;
    auto fields = split_whitespace(value);
    if (fields.empty()) return;
    auto number = parse_u64(fields[0]);
    if (!number) return;
    // Despite "kB", the kernel means KiB here.
    std::uint64_t bytes = *number * (fields.size() > 1 && fields[1] == "kB" ? 1024 : 1);
    if (key == "MemTotal") info.mem_total_bytes = bytes;
    if (key == "SwapTotal") info.swap_total_bytes = bytes;
    if (key == "MemAvailable") info.mem_available_bytes = bytes;
  });
  return info;
}

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> values;
  for_each_line(text, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#') return;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
    values[std::string(line.substr(0, eq))] = unquote_shell_value(line.substr(eq + 1));
  });
  return values;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> mounts;
  for_each_line(text, [&](std::string_view line) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    auto fields = split_whitespace(line);
    if (fields.size() < 7) return;
    std::size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 1 >= fields.size()) return;  // no file system type
    MountEntry entry;
    entry.mount_point = unescape_octal(fields[4]);
    entry.fs_type = std::string(fields[dash + 1]);
    if (dash + 2 < fields.size()) entry.source = unescape_octal(fields[dash + 2]);
    mounts.push_back(std::move(entry));
  });
  return mounts;
}

std::optional<MountEntry> find_mount(const std::vector<MountEntry>& mounts,
                                     const std::filesystem::path& path) {
  std::string target = path.lexically_normal().string();
  if (target.size() > 1 && target.back() == '/') target.pop_back();
  const MountEntry* best = nullptr;
  for (const auto& mount : mounts) {
    if (!is_path_prefix(mount.mount_point, target)) continue;
    if (!best || mount.mount_point.size() >= best->mount_point.size()) best = &mount;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::optional<std::string> find_fqdn_in_hosts(std::string_view hosts, std::string_view hostname) {
  if (hostname.empty()) return std::nullopt;
  std::optional<std::string> found;
  for_each_line(hosts, [&](std::string_view line) {
    if (found) return;
    line = line.substr(0, line.find('#'));
    auto fields = split_whitespace(line);
    if (fields.size() < 2) return;
    std::vector<std::string_view> names(fields.begin() + 1, fields.end());
    bool lists_host = false;
    for (auto name : names) {
      if (name == hostname ||
          (name.starts_with(hostname) && name.size() > hostname.size() &&
           name[hostname.size()] == '.'))
        lists_host = true;
    }
    if (!lists_host) return;
    for (auto name : names) {
      if (name.find('.') != std::string_view::npos) {
        found = std::string(name);
        return;
      }
    }
  });
  return found;
}

}  // namespace bpfpads
