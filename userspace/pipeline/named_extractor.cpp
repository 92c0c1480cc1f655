#include "pipeline/named_extractor.h"

namespace bpfpads {

ExtractorRegistry& ExtractorRegistry::instance() {
  static ExtractorRegistry registry;
  return registry;
}

void ExtractorRegistry::add(std::string name, std::function<std::unique_ptr<NamedExtractor>()> factory) {
  factories_[std::move(name)] = std::move(factory);
}

std::unique_ptr<NamedExtractor> ExtractorRegistry::create(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second();
}

std::vector<std::string> ExtractorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

}  // namespace bpfpads
