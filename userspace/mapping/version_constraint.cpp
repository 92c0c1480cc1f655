#include "mapping/version_constraint.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bpfpads {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool read_number(std::string_view& s, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

std::optional<Version::Phase> phase_named(const std::string& word) {
  using P = Version::Phase;
  if (word == "dev") return P::Dev;
  if (word == "a" || word == "alpha") return P::Alpha;
  if (word == "b" || word == "beta") return P::Beta;
  if (word == "rc" || word == "c" || word == "pre" || word == "preview") return P::ReleaseCandidate;
  if (word == "post" || word == "rev" || word == "r") return P::Post;
  return std::nullopt;
}

}  // namespace

Result<Version> Version::parse(std::string_view text) {
  std::string_view s = trim(text);
  const std::string original(s);
  if (auto plus = s.find('+'); plus != std::string_view::npos) s = s.substr(0, plus);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);

  Version v;
  for (;;) {
    std::uint64_t n = 0;
    if (!read_number(s, n)) return make_error("invalid version '" + original + "'");
    v.release.push_back(n);
    if (s.size() >= 2 && s[0] == '.' && std::isdigit(static_cast<unsigned char>(s[1]))) {
      s.remove_prefix(1);
      continue;
    }
    break;
  }
  if (s.empty()) return v;

  // Phase tag: optional separator, a word, an optional separator and number.
  if (s.front() == '.' || s.front() == '-' || s.front() == '_') s.remove_prefix(1);
  std::size_t word_end = 0;
  while (word_end < s.size() && std::isalpha(static_cast<unsigned char>(s[word_end]))) ++word_end;
  auto phase = phase_named(lower(s.substr(0, word_end)));
  if (!phase) return make_error("invalid version '" + original + "'");
  v.phase = *phase;
  s.remove_prefix(word_end);
  if (!s.empty() && (s.front() == '.' || s.front() == '-' || s.front() == '_')) s.remove_prefix(1);
  if (!s.empty() && !read_number(s, v.phase_number))
    return make_error("invalid version '" + original + "'");
  if (!s.empty()) return make_error("invalid version '" + original + "'");
  return v;
}

int Version::compare(const Version& other) const {
  const std::size_t n = std::max(release.size(), other.release.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t a = i < release.size() ? release[i] : 0;
    const std::uint64_t b = i < other.release.size() ? other.release[i] : 0;
    if (a != b) return a < b ? -1 : 1;
  }
  if (phase != other.phase) return phase < other.phase ? -1 : 1;
  if (phase_number != other.phase_number) return phase_number < other.phase_number ? -1 : 1;
  return 0;
}

Result<VersionConstraint> VersionConstraint::parse(std::string_view text) {
  VersionConstraint vc;
  vc.text_ = std::string(trim(text));
  if (vc.text_.empty() || vc.text_ == "*") return vc;

  std::string_view rest = vc.text_;
  while (true) {
    const std::size_t comma = rest.find(',');
    std::string_view clause_text = trim(rest.substr(0, comma));
    if (clause_text.empty()) return make_error("empty clause in version constraint '" + vc.text_ + "'");

    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"~=", Op::Compatible}, {"==", Op::Equal},  {"!=", Op::NotEqual},   {"<=", Op::LessEqual},
        {">=", Op::GreaterEqual}, {"<", Op::Less}, {">", Op::Greater},      {"=", Op::Equal}};
    Clause clause;
    for (const auto& [spelling, op] : kOps) {
      if (clause_text.starts_with(spelling)) {
        clause.op = op;
        clause_text = trim(clause_text.substr(spelling.size()));
        break;
      }
    }
    // A bare version means exactly that version, as PyPads' own files use it ("0.19.1").
    if (clause_text.ends_with(".*")) {
      if (clause.op != Op::Equal && clause.op != Op::NotEqual)
        return make_error("'.*' is only allowed with == or != in version constraint '" + vc.text_ + "'");
      clause.wildcard = true;
      clause_text.remove_suffix(2);
    }
    auto version = Version::parse(clause_text);
    if (!version)
      return make_error(version.error().message + " in version constraint '" + vc.text_ + "'");
    clause.version = std::move(*version);
    if (clause.wildcard && clause.version.phase != Version::Phase::Final)
      return make_error("a '.*' version may not carry a pre/post tag in '" + vc.text_ + "'");
    if (clause.op == Op::Compatible && clause.version.release.size() < 2)
      return make_error("'~=' needs at least two release components (e.g. ~=1.6) in '" + vc.text_ + "'");
    vc.clauses_.push_back(std::move(clause));

    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return vc;
}

bool VersionConstraint::satisfied_by(std::string_view version) const {
  auto parsed = Version::parse(version);
  return parsed && satisfied_by(*parsed);
}

namespace {

// "==1.7.*": the first components of `v` equal the prefix's.
bool has_release_prefix(const Version& v, const Version& prefix) {
  for (std::size_t i = 0; i < prefix.release.size(); ++i) {
    const std::uint64_t got = i < v.release.size() ? v.release[i] : 0;
    if (got != prefix.release[i]) return false;
  }
  return true;
}

}  // namespace

bool VersionConstraint::satisfied_by(const Version& v) const {
  for (const Clause& c : clauses_) {
    const int cmp = v.compare(c.version);
    bool ok = false;
    switch (c.op) {
      case Op::Equal: ok = c.wildcard ? has_release_prefix(v, c.version) : cmp == 0; break;
      case Op::NotEqual: ok = c.wildcard ? !has_release_prefix(v, c.version) : cmp != 0; break;
      case Op::Less: ok = cmp < 0; break;
      case Op::LessEqual: ok = cmp <= 0; break;
      case Op::Greater: ok = cmp > 0; break;
      case Op::GreaterEqual: ok = cmp >= 0; break;
      case Op::Compatible: {
        // ~=1.6.2 means >=1.6.2 and ==1.6.*: the prefix drops the last component.
        Version prefix;
        prefix.release.assign(c.version.release.begin(), c.version.release.end() - 1);
        ok = cmp >= 0 && has_release_prefix(v, prefix);
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace bpfpads
