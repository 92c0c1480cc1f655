#include "pipeline/dispatcher.h"

#include <filesystem>

#include "pipeline/extract_eval.h"

namespace bpfpads {

Dispatcher::Dispatcher(HookCatalog& catalog, RunSink& sink, int64_t mono_to_wall_us)
    : catalog_(catalog), sink_(sink), mono_to_wall_us_(mono_to_wall_us),
      loggers_(LoggerRegistry::instance().create_all()) {}

uint64_t Dispatcher::calls_seen(uint32_t hook_id) const {
  auto it = calls_.find(hook_id);
  return it == calls_.end() ? 0 : it->second;
}

void Dispatcher::on_call(const HookCallEvent& event) {
  Hook* hook = catalog_.find(event.hook_id);
  if (!hook) return;
  uint64_t number = ++calls_[event.hook_id];

  const PipelineConfig& config = catalog_.config();
  if ((config.recursion_depth >= 0 && static_cast<int>(event.depth) > config.recursion_depth) ||
      (config.recursion_identity && event.nested_same)) {
    ++skipped_recursion_;
    return;
  }

  HookCall call{*hook, event, decode_captures(hook->layout, event)};
  call.call_number = number;
  call.entry_wall_us = static_cast<int64_t>(event.entry_ns / 1000) + mono_to_wall_us_;
  int64_t end_ns = static_cast<int64_t>(event.returned ? event.return_ns : event.entry_ns);
  call.wall_ms = (end_ns / 1000 + mono_to_wall_us_) / 1000;
  call.duration_us = event.returned ? static_cast<int64_t>((event.return_ns - event.entry_ns) / 1000) : 0;
  for (const auto& [name, v] : call.values) {
    cut_values_ += v.cut;
    unreadable_values_ += v.unreadable && hook->layout.fields.size() > 0;
  }
  dispatch(call);
}

void Dispatcher::on_python_call(const PythonCallDone& done) {
  Hook* hook = catalog_.find(done.hook_id);
  if (!hook) return;
  uint64_t number = ++calls_[done.hook_id];
  // The call as a hooked call: its arguments by name, "return", and "self" (the
  // instance's address, which keeps estimators apart in an `extract: scope`).
  HookCallEvent event{};
  event.tgid = done.tgid;
  event.tid = done.tid;
  event.hook_id = done.hook_id;
  event.entry_ns = done.entry_ns ? done.entry_ns : done.end_ns;
  event.return_ns = done.end_ns;
  // Only a seen return gives a duration (an exception's end is known only later).
  event.returned = done.entry_ns != 0 && done.info.end == PythonCallInfo::End::Returned;
  HookCall call{*hook, event, {}};
  for (const auto& [name, text] : done.info.arguments) call.values[name] = CapturedValue{text};
  if (done.info.instance) call.values["self"] = CapturedValue{std::to_string(done.info.instance)};
  if (done.info.return_text) call.values["return"] = CapturedValue{*done.info.return_text};
  call.python = &done.info;
  call.call_number = number;
  call.entry_wall_us = static_cast<int64_t>(event.entry_ns / 1000) + mono_to_wall_us_;
  call.wall_ms = (static_cast<int64_t>(event.return_ns / 1000) + mono_to_wall_us_) / 1000;
  call.duration_us = event.returned ? static_cast<int64_t>((event.return_ns - event.entry_ns) / 1000) : 0;
  dispatch(call);
}

void Dispatcher::dispatch(HookCall& call) {
  const Hook* hook = &call.hook;
  call.run_variables = &sink_.variables;
  if (hook->entry->extract) {
    const ExtractSpec& spec = *hook->entry->extract;
    if (auto scope = extract_scope(spec, call, sink_))
      call.scope_prefix = sink_.scope_prefix(spec.scope_name, *scope);
    call.scope_call = scoped_calls_[{hook->id, call.scope_prefix}]++;
    extract_variables(spec, call, sink_);
    // `extract: step:` sets the step that later metrics of the run use.
    if (auto step = extract_step(spec, call, sink_)) sink_.current_step = step;
  }

  for (const auto& logger : loggers_)
    for (const auto& ev : hook->events)
      if (logger->event_type() == ev) logger->on_call(call, sink_);

  if (hook->entry->extract && hook->entry->extract->extractor) {
    const std::string& name = *hook->entry->extract->extractor;
    auto it = extractors_.find(name);
    if (it == extractors_.end())
      it = extractors_.emplace(name, ExtractorRegistry::instance().create(name)).first;
    if (it->second) it->second->extract(call, sink_);
  }
  if (hook->entry->extract && hook->entry->extract->scope_ends) {
    if (auto scope = extract_scope(*hook->entry->extract, call, sink_)) sink_.end_scope(*scope);
  }
}

void Dispatcher::finish() {
  for (const auto& logger : loggers_) logger->finish(sink_);
  sink_.flush();
}

}  // namespace bpfpads
