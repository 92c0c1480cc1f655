// Loggers: what an event type does with a hooked call (PyPads' logging functions).
// A new logger is one class plus one line:
//   BPFPADS_REGISTER_LOGGER(MetricLogger);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/hook_call.h"
#include "pipeline/run_sink.h"

namespace bpfpads {

class Logger {
 public:
  virtual ~Logger() = default;
  // The event type it serves: parameters, input, output, metric, hardware,
  // pipeline, log, init.
  virtual std::string_view event_type() const = 0;
  virtual void on_call(const HookCall& call, RunSink& sink) = 0;
  // At the end of the run (artifacts that sum up every call).
  virtual void finish(RunSink& sink) { (void)sink; }
};

using LoggerFactory = std::function<std::unique_ptr<Logger>()>;

class LoggerRegistry {
 public:
  static LoggerRegistry& instance();
  void add(LoggerFactory factory) { factories_.push_back(std::move(factory)); }
  std::vector<std::unique_ptr<Logger>> create_all() const;

 private:
  std::vector<LoggerFactory> factories_;
};

struct LoggerRegistration {
  explicit LoggerRegistration(LoggerFactory f) { LoggerRegistry::instance().add(std::move(f)); }
};

#define BPFPADS_REGISTER_LOGGER(Class)                                     \
  static const ::bpfpads::LoggerRegistration bpfpads_logger_registration_##Class{ \
      [] { return std::make_unique<Class>(); }}

}  // namespace bpfpads
