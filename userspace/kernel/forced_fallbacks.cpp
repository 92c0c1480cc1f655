#include "kernel/forced_fallbacks.h"

#include <algorithm>
#include <cstdlib>

#include "common/text.h"
#include "kernel/feature_probe.h"

namespace bpfpads {
namespace {

bool is_feature_key(std::string_view key) {
  auto fields = feature_fields();
  return std::any_of(fields.begin(), fields.end(),
                     [&](const FeatureField& f) { return key == f.key; });
}

const char* environment_value() {
  const char* v = std::getenv(kForceFallbackVariable);
  return v ? v : "";
}

}  // namespace

Result<std::vector<std::string>> parse_forced_fallbacks(std::string_view value) {
  std::vector<std::string> keys;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view key = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (key.empty()) continue;
    if (!is_feature_key(key))
      return make_error("unknown feature '" + std::string(key) +
                            "' (see `bpfpads-features` for the keys)",
                        kForceFallbackVariable);
    keys.emplace_back(key);
  }
  return keys;
}

bool fallback_forced(std::string_view feature_key) {
  static const std::vector<std::string> forced =
      parse_forced_fallbacks(environment_value()).value_or(std::vector<std::string>{});
  return std::find(forced.begin(), forced.end(), feature_key) != forced.end();
}

Result<> check_forced_fallbacks() {
  auto parsed = parse_forced_fallbacks(environment_value());
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

}  // namespace bpfpads
