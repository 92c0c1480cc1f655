// key_value_params: every captured string of the call holds "key=value" pairs
// separated by spaces, commas or newlines (LightGBM's parameter strings, command
// lines); each pair becomes a param.
#include <cctype>

#include "pipeline/named_extractor.h"

namespace bpfpads {
namespace {

class KeyValueParams final : public NamedExtractor {
 public:
  std::string_view name() const override { return "key_value_params"; }
  void extract(const HookCall& call, RunSink& sink) override {
    for (const auto& [capture, value] : call.values) {
      if (value.unreadable || value.text.find('=') == std::string::npos) continue;
      if (value.cut) sink.warn(call.hook.function + ": '" + capture + "' was cut; params from the part kept");
      size_t i = 0;
      const std::string& s = value.text;
      while (i < s.size()) {
        while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == ',')) ++i;
        size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != ',') ++i;
        std::string pair = s.substr(start, i - start);
        auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        sink.log_param(pair.substr(0, eq), pair.substr(eq + 1));
      }
    }
  }
};

}  // namespace
BPFPADS_REGISTER_EXTRACTOR(KeyValueParams, "key_value_params");
}  // namespace bpfpads
