#include "symbols/symbol_matcher.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace bpfpads {

namespace {

std::string join_components(const ElfSymbol& s) {
  std::string out;
  for (const auto& c : s.components) {
    if (!out.empty()) out += "::";
    out += c;
  }
  return out;
}

std::string join_path(std::span<const PathSegment> path) {
  std::string out;
  for (const auto& seg : path) {
    if (!out.empty()) out += "::";
    out += seg.text;
  }
  return out;
}

}  // namespace

Result<SymbolPathMatcher> SymbolPathMatcher::compile(std::span<const PathSegment> path) {
  SymbolPathMatcher m;
  if (path.empty()) return make_error("empty symbol path");
  for (const auto& seg : path) {
    Segment s;
    if (seg.is_regex) {
      auto re = PythonRegex::compile(seg.text);
      if (!re) return std::unexpected(re.error());
      s.regex.emplace(std::move(*re));
    } else {
      s.literal = seg.text;
    }
    m.segments_.push_back(std::move(s));
  }
  return m;
}

bool SymbolPathMatcher::matches(const ElfSymbol& symbol) const {
  if (symbol.components.size() != segments_.size()) return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& seg = segments_[i];
    const std::string& comp = symbol.components[i];
    if (seg.regex ? !seg.regex->match_at_start(comp) : seg.literal != comp) return false;
  }
  return true;
}

std::vector<ProbeTarget> match_symbols(const SymbolIndex& index, const SymbolPathMatcher& matcher,
                                       const MatchOptions& options) {
  std::vector<ProbeTarget> out;
  auto syms = index.symbols();
  // Symbols are sorted by address, preferred alias first: the first match in
  // each run of equal addresses becomes the target, the rest are aliases.
  for (size_t i = 0; i < syms.size();) {
    size_t end = i + 1;
    while (end < syms.size() && syms[end].address == syms[i].address) ++end;
    for (size_t j = i; j < end; ++j) {
      const ElfSymbol& s = syms[j];
      if ((s.secondary && !options.include_secondary) || !matcher.matches(s)) continue;
      ProbeTarget t{index.path(), s.name, s.pretty(), s.address, s.file_offset, s.probe_offset,
                    s.size, s.ifunc, {}};
      for (size_t k = i; k < end; ++k)
        if (k != j) t.aliases.push_back(syms[k].name);
      out.push_back(std::move(t));
      break;
    }
    i = end;
  }
  return out;
}

Result<MatchResult> match_symbols(const SymbolIndex& index, std::span<const PathSegment> path,
                                  const MatchOptions& options) {
  auto matcher = SymbolPathMatcher::compile(path);
  if (!matcher) return std::unexpected(matcher.error().with_context(index.path()));
  MatchResult result;
  result.targets = match_symbols(index, *matcher, options);
  if (result.targets.empty())
    result.near_matches = near_matches(index, path, options.max_near_matches);
  return result;
}

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  auto lower = [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); };
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  // Two-row Levenshtein, abandoned once a whole row exceeds the limit.
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], limit + 1);
}

std::vector<std::string> near_matches(const SymbolIndex& index, std::span<const PathSegment> path,
                                      size_t max) {
  if (path.empty() || max == 0) return {};
  const std::string wanted = join_path(path);
  const std::string& last = path.back().text;
  // Farther than this is noise, not a typo.
  const size_t limit = std::max<size_t>(3, wanted.size() / 3);

  std::set<std::string> same_last;
  std::set<std::pair<size_t, std::string>> closest;  // (distance, name), best first
  for (const ElfSymbol& s : index.symbols()) {
    if (s.secondary || s.components.empty()) continue;
    bool last_equal = s.components.back() == last;
    if (!last_equal && same_last.size() >= max) continue;  // cannot rank higher
    std::string joined = join_components(s);
    if (last_equal) {
      same_last.insert(joined);
      continue;
    }
    size_t bound = closest.size() >= max ? std::prev(closest.end())->first : limit;
    size_t d = edit_distance(wanted, joined, bound);
    if (d > bound || (closest.size() >= max && d == bound)) continue;
    closest.emplace(d, std::move(joined));
    if (closest.size() > max) closest.erase(std::prev(closest.end()));
  }
  std::vector<std::string> out;
  for (const auto& n : same_last) {
    if (out.size() >= max) break;
    out.push_back(n);
  }
  for (const auto& [d, n] : closest) {
    if (out.size() >= max) break;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

}  // namespace bpfpads
