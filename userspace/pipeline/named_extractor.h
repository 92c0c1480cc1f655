// Named extractors: C++ for formats the extract templates cannot express, chosen in
// a mapping with `extract: {using: NAME}`. One class plus one line:
//   BPFPADS_REGISTER_EXTRACTOR(KeyValueParams);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/hook_call.h"
#include "pipeline/run_sink.h"

namespace bpfpads {

class NamedExtractor {
 public:
  virtual ~NamedExtractor() = default;
  virtual std::string_view name() const = 0;
  // Runs whenever a hook that names it fires, after its template rules.
  virtual void extract(const HookCall& call, RunSink& sink) = 0;
};

class ExtractorRegistry {
 public:
  static ExtractorRegistry& instance();
  void add(std::string name, std::function<std::unique_ptr<NamedExtractor>()> factory);
  std::unique_ptr<NamedExtractor> create(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::function<std::unique_ptr<NamedExtractor>()>, std::less<>> factories_;
};

struct ExtractorRegistration {
  ExtractorRegistration(std::string name, std::function<std::unique_ptr<NamedExtractor>()> f) {
    ExtractorRegistry::instance().add(std::move(name), std::move(f));
  }
};

#define BPFPADS_REGISTER_EXTRACTOR(Class, NAME)                                         \
  static const ::bpfpads::ExtractorRegistration bpfpads_extractor_registration_##Class{ \
      NAME, [] { return std::make_unique<Class>(); }}

}  // namespace bpfpads
