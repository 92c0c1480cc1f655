#include "pipeline/logger.h"

namespace bpfpads {

LoggerRegistry& LoggerRegistry::instance() {
  static LoggerRegistry registry;
  return registry;
}

std::vector<std::unique_ptr<Logger>> LoggerRegistry::create_all() const {
  std::vector<std::unique_ptr<Logger>> out;
  for (const auto& f : factories_) out.push_back(f());
  return out;
}

}  // namespace bpfpads
