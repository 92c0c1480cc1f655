// hardware: what one call cost the calling thread (CPU, I/O, page faults) and how
// long it took, as per-call histories: step = the call's number. A Python call at the
// top level gives its duration under the function's name (the watchpoints measure no
// per-thread counters).
#include <map>

#include "pipeline/logger.h"

namespace bpfpads {
namespace {

class HardwareLogger final : public Logger {
 public:
  std::string_view event_type() const override { return "hardware"; }
  void on_call(const HookCall& call, RunSink& sink) override {
    if (!call.event.returned) return;
    if (call.python) {
      if (call.python->nested) return;
      const std::string& name = call.python->function;
      sink.log_metric("calls/" + name + "/duration_ms", static_cast<double>(call.duration_us) / 1e3, python_steps_[name]++,
                      call.wall_ms);
      return;
    }
    const std::string prefix = "calls/" + call.hook.function + "/";
    const int64_t step = static_cast<int64_t>(call.call_number) - 1;
    const auto& hw = call.event.hardware;
    sink.log_metric(prefix + "duration_ms", static_cast<double>(call.duration_us) / 1e3, step, call.wall_ms);
    sink.log_metric(prefix + "cpu_ms", static_cast<double>(hw.cpu_ns) / 1e6, step, call.wall_ms);
    sink.log_metric(prefix + "disk_read_mb", static_cast<double>(hw.read_bytes) / 1e6, step, call.wall_ms);
    sink.log_metric(prefix + "disk_write_mb", static_cast<double>(hw.write_bytes) / 1e6, step, call.wall_ms);
    sink.log_metric(prefix + "page_faults", static_cast<double>(hw.faults), step, call.wall_ms);
  }

 private:
  std::map<std::string, int64_t> python_steps_;
};

}  // namespace
BPFPADS_REGISTER_LOGGER(HardwareLogger);
}  // namespace bpfpads
