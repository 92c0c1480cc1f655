#include "store/key_validation.h"

#include <cstdint>
#include <vector>

#include "common/log.h"
#include "run/run_types.h"

namespace bpfpads {
namespace {

// Decodes one UTF-8 code point at text[i], advancing i; invalid bytes decode as themselves.
uint32_t next_code_point(std::string_view text, size_t& i) {
  const auto c = static_cast<unsigned char>(text[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + len > text.size()) len = 1;
  uint32_t cp = len == 1 ? c : c & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xc0) != 0x80) { len = 1; cp = c; break; }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += len;
  return cp;
}

// Python's \w for non-ASCII is "alphanumeric in Unicode". Without ICU we accept every
// non-ASCII code point except the blocks that hold only punctuation, symbols, spaces or
// emoji, which catches the characters users actually type by mistake.
bool is_unicode_word(uint32_t cp) {
  if (cp < 0xA0) return false;                               // C1 controls
  if (cp <= 0xBF) return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 ||
                         cp == 0xB9 || cp == 0xBA || cp == 0xBC || cp == 0xBD || cp == 0xBE;
  if (cp == 0xD7 || cp == 0xF7) return false;                // × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;            // punctuation, symbols, arrows, math
  if (cp >= 0x3000 && cp <= 0x303F) return false;            // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;            // CJK compatibility forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;            // fullwidth punctuation
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;          // emoji, pictographs
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;            // surrogates
  return true;
}

bool allowed_key_char(uint32_t cp) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '/' || c == '.' || c == '-' || c == ' ' || c == ':';
  }
  return is_unicode_word(cp);
}

}  // namespace

std::string posix_normpath(std::string_view path) {
  if (path.empty()) return ".";
  size_t leading = 0;
  while (leading < path.size() && path[leading] == '/') ++leading;
  // POSIX keeps exactly two leading slashes; one or three and more collapse to one.
  const std::string prefix = leading == 0 ? "" : leading == 2 ? "//" : "/";
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view comp = path.substr(pos, end - pos);
    pos = end + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (prefix.empty()) parts.push_back(comp);
      continue;
    }
    parts.push_back(comp);
  }
  std::string out = prefix;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) next_code_point(text, i);
  return n;
}

bool truncate_utf8(std::string& text, size_t limit) {
  size_t i = 0, n = 0;
  while (i < text.size() && n < limit) {
    next_code_point(text, i);
    ++n;
  }
  if (i >= text.size()) return false;
  text.resize(i);
  return true;
}

Result<> validate_key(std::string_view kind, const std::string& key) {
  const std::string what = std::string(kind) + " key '" + key + "'";
  if (key.empty()) return make_error("empty " + std::string(kind) + " key: MLflow requires a name");
  for (size_t i = 0; i < key.size();) {
    const size_t at = i;
    if (!allowed_key_char(next_code_point(key, i)))
      return make_error(what + " has an invalid character '" + key.substr(at, i - at) +
                        "'; names may only contain alphanumerics, underscores (_), dashes (-), "
                        "periods (.), spaces ( ), colons (:) and slashes (/)");
  }
  const std::string norm = posix_normpath(key);
  if (norm != key || norm == "." || norm.starts_with("..") || norm.starts_with("/"))
    return make_error(what + " would resolve to the path '" + norm +
                      "'; MLflow rejects names with '.', '..', '//' or a leading or trailing '/'");
  if (utf8_length(key) > kMaxKeyLength)
    return make_error(what + " is longer than " + std::to_string(kMaxKeyLength) + " characters");
  return {};
}

std::string truncate_param_value(const std::string& key, std::string value) {
  const size_t len = utf8_length(value);
  if (truncate_utf8(value, kMaxParamValueLength))
    log::warning("param '" + key + "': value (" + std::to_string(len) + " characters) truncated to " +
                 std::to_string(kMaxParamValueLength) + ", as MLflow does");
  return value;
}

std::string truncate_tag_value(const std::string& key, std::string value) {
  const size_t len = utf8_length(value);
  if (truncate_utf8(value, kMaxTagValueLength))
    log::warning("tag '" + key + "': value (" + std::to_string(len) + " characters) truncated to " +
                 std::to_string(kMaxTagValueLength) + ", as MLflow does");
  return value;
}

Result<> check_length(std::string_view what, std::string_view value, size_t limit) {
  const size_t len = utf8_length(value);
  if (len > limit)
    return make_error(std::string(what) + " is " + std::to_string(len) +
                      " characters long; MLflow allows at most " + std::to_string(limit));
  return {};
}

Result<> validate_batch(std::span<const Metric> metrics, std::span<const Param> params,
                        std::span<const Tag> tags) {
  for (const auto& m : metrics) {
    if (auto r = validate_key("metric", m.key); !r) return r;
    if (m.timestamp_ms < 0)
      return make_error("metric '" + m.key + "': timestamp " + std::to_string(m.timestamp_ms) +
                        " is negative; MLflow requires a nonnegative timestamp");
  }
  for (const auto& p : params)
    if (auto r = validate_key("param", p.key); !r) return r;
  for (const auto& t : tags)
    if (auto r = validate_key("tag", t.key); !r) return r;
  return {};
}

Result<> validate_dataset(const DatasetInput& d) {
  const std::string what = "dataset '" + d.name + "'";
  if (d.name.empty()) return make_error("dataset name is empty");
  if (d.digest.empty()) return make_error(what + ": digest is empty");
  if (d.source_type.empty()) return make_error(what + ": source_type is empty");
  if (d.source.empty()) return make_error(what + ": source is empty");
  if (auto r = check_length(what + " name", d.name, kMaxDatasetNameLength); !r) return r;
  if (auto r = check_length(what + " digest", d.digest, kMaxDatasetDigestLength); !r) return r;
  if (auto r = check_length(what + " source", d.source, kMaxDatasetSourceLength); !r) return r;
  if (auto r = check_length(what + " schema", d.schema, kMaxDatasetSchemaLength); !r) return r;
  if (auto r = check_length(what + " profile", d.profile, kMaxDatasetProfileLength); !r) return r;
  return check_length(what + " context", d.context, kMaxInputTagValueLength);
}

Result<> validate_experiment_name(const std::string& name) {
  if (name.empty()) return make_error("experiment name is empty");
  return check_length("experiment name '" + name + "'", name, kMaxExperimentNameLength);
}

}  // namespace bpfpads
