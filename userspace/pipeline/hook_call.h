// One hooked call as loggers see it: the hook, its decoded captures and timing.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "hooks/hook_catalog.h"
#include "hooks/hook_layout.h"
#include "kernel/records.h"
#include "pipeline/python_call.h"

namespace bpfpads {

struct HookCall {
  const Hook& hook;
  const HookCallEvent& event;
  std::map<std::string, CapturedValue> values;  // by capture name ("return" too)
  uint64_t call_number = 0;  // of this hook in the run, from 1
  int64_t wall_ms = 0;       // when the call ended (entry-only hooks: when it started)
  int64_t entry_wall_us = 0;
  int64_t duration_us = 0;   // 0 for entry-only hooks
  // `extract: scope`: the prefix of this call's params and metrics ("" for the first
  // scope value), and the number of earlier calls of this hook in the scope ({call}).
  std::string scope_prefix = {};
  uint64_t scope_call = 0;
  const std::map<std::string, std::string>* run_variables = nullptr;  // {run_NAME}
  const PythonCallInfo* python = nullptr;  // a Python call: what it ran and with what
  // The name the pipeline shows: the Python function behind a wrapper, else the hook's.
  const std::string& function_name() const { return python ? python->function : hook.function; }

  // Template inputs: every capture's text, {call}, and the run variables.
  std::map<std::string, std::string> template_values() const;
};

}  // namespace bpfpads
