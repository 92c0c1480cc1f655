// output: files the call produced (`extract.artifacts`, e.g. a saved model), copied
// into the run when the call returns.
#include <filesystem>

#include "pipeline/extract_eval.h"
#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class OutputLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "output"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (!call.hook.entry->extract) return;
    for (const auto& raw : extract_artifact_paths(*call.hook.entry->extract, call, sink)) {
      std::filesystem::path p(raw);
      std::error_code ec;
      if (p.is_relative()) {
        // Only here, not per record: reading a process's cwd costs a microsecond.
        auto cwd = std::filesystem::read_symlink("/proc/" + std::to_string(call.event.tgid) + "/cwd", ec);
        if (!ec) p = cwd / p;
      }
      if (!std::filesystem::is_regular_file(p, ec)) {
        sink.warn(call.hook.function + ": output " + p.string() + " is not a file");
        continue;
      }
      sink.log_artifact_file("outputs", p);
    }
  }
};

}  // namespace
BPFPADS_REGISTER_LOGGER(OutputLogger);
}  // namespace bpfpads
