#define PCRE2_CODE_UNIT_WIDTH 8
#include "common/python_regex.h"

#include <pcre2.h>

#include <algorithm>
#include <string>

namespace bpfpads {

struct PythonRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

namespace {

// The one Python spelling PCRE2 reads differently: Python's \Z is the absolute end of
// the string, PCRE2's \Z also allows a final newline (PCRE2's \z).
std::string python_to_pcre2(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += '\\';
      out += pattern[i + 1] == 'Z' ? 'z' : pattern[i + 1];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

// match_at_start only asks whether there is a match, so one ovector pair is enough
// for every pattern (pcre2_match returns 0, not an error, when groups do not fit):
// one buffer per thread, and a scan over 100k+ symbol names allocates nothing.
pcre2_match_data* scratch_match_data() {
  struct Scratch {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    ~Scratch() { pcre2_match_data_free(data); }
  };
  thread_local Scratch scratch;
  return scratch.data;
}

struct MatchData {
  explicit MatchData(pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
  pcre2_match_data* data;
};

}  // namespace

Result<PythonRegex> PythonRegex::compile(std::string_view pattern) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  // UTF so that '.' takes a whole character like Python's str regexes; MATCH_INVALID_UTF
  // so that a non-UTF-8 symbol name or captured string never makes matching fail.
  const std::string translated = python_to_pcre2(pattern);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &error_code,
                                   &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error_code, buffer, sizeof buffer);
    return make_error("invalid regular expression '" + std::string(pattern) + "': " +
                      reinterpret_cast<const char*>(buffer) + " at offset " +
                      std::to_string(error_offset));
  }
  // Symbol matching runs over whole symbol tables; JIT is a speed-up, not a requirement.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);

  PythonRegex regex;
  regex.pattern_ = std::string(pattern);
  auto owned = std::make_shared<Code>();
  owned->code = code;
  regex.code_ = std::move(owned);

  std::uint32_t count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
  for (std::uint32_t i = 0; i < count; ++i) {
    // Each entry: 2-byte group number, then the NUL-terminated name.
    const auto* entry = table + static_cast<std::size_t>(i) * entry_size;
    regex.group_names_.emplace_back(reinterpret_cast<const char*>(entry + 2));
  }
  return regex;
}

bool PythonRegex::has_group(std::string_view name) const {
  return std::find(group_names_.begin(), group_names_.end(), name) != group_names_.end();
}

bool PythonRegex::match_at_start(std::string_view subject) const {
  pcre2_match_data* scratch = scratch_match_data();
  if (!code_ || !scratch) return false;
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, PCRE2_ANCHORED, scratch, nullptr);
  return rc >= 0;
}

std::vector<RegexGroups> PythonRegex::find_all(std::string_view subject) const {
  std::vector<RegexGroups> matches;
  if (!code_) return matches;
  MatchData md(code_->code);
  PCRE2_SIZE start = 0;
  while (start <= subject.size()) {
    const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                               subject.size(), start, 0, md.data, nullptr);
    if (rc < 0) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.data);
    RegexGroups groups;
    for (const std::string& name : group_names_) {
      const int number = pcre2_substring_number_from_name(
          code_->code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
      if (number < 0) continue;
      const PCRE2_SIZE b = ov[2 * number], e = ov[2 * number + 1];
      if (b == PCRE2_UNSET) continue;
      groups[name] = std::string(subject.substr(b, e - b));
    }
    matches.push_back(std::move(groups));
    // An empty match advances one byte so the loop ends, as finditer does.
    start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
  }
  return matches;
}

std::string PythonRegex::replace_all(std::string_view subject, std::string_view replacement) const {
  PCRE2_SIZE size = subject.size() + subject.size() / 4 + 64;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string out(size, '\0');
    PCRE2_SIZE len = out.size();
    int rc = pcre2_substitute(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                              PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_EXTENDED | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
                              nullptr, nullptr, reinterpret_cast<PCRE2_SPTR>(replacement.data()), replacement.size(),
                              reinterpret_cast<PCRE2_UCHAR*>(out.data()), &len);
    if (rc >= 0) {
      out.resize(len);
      return out;
    }
    if (rc != PCRE2_ERROR_NOMEMORY) break;
    size = len + 1;  // PCRE2_SUBSTITUTE_OVERFLOW_LENGTH: the size it needs
  }
  return std::string(subject);
}

}  // namespace bpfpads
