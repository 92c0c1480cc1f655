// Turns the watchpoint events of a Python call into what loggers use (PythonCallInfo):
// which function ran, looking through a decorator's wrapper to the function it wraps
// (its closure's first function: scikit-learn's `_fit_context` and `validate_params`
// wrappers), the instance a method ran on and its hyperparameters, the arguments by
// the wrapped function's parameter names, numpy arrays' shapes, and the returned value.
// Values of the return come from the snapshot BPF took at the return; everything else
// is read when the event arrives, while the call runs (an entry) or just after it (a
// return): bounded reads that fail into "<unreadable>", never into a wrong value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernel/records.h"
#include "pipeline/python_call.h"
#include "python/python_objects.h"
#include "python/python_process.h"
#include "python/python_values.h"
#include "python/remote_memory.h"

namespace bpfpads {

class CallDecoder {
 public:
  explicit CallDecoder(const PythonProcess& py);
  CallDecoder(const CallDecoder&) = delete;
  CallDecoder& operator=(const CallDecoder&) = delete;

  const PythonProcess& process() const { return py_; }
  // Function, instance, arguments and arrays, from an entry or a return event; the
  // function and instance only, without `arguments` (a nested call: reading less
  // from the job's memory while it runs).
  PythonCallInfo describe(const PythonCallEvent& e, bool arguments = true) const;
  // get_params() of the call's instance, when it has __init__ parameters.
  void add_params(PythonCallInfo& info) const;
  // The returned value, from the return event's snapshot.
  void add_return(const PythonCallEvent& exit, PythonCallInfo& info) const;

 private:
  struct CodeInfo {
    std::string qualname, file;
    int line = 0, argcount = 0, kwonly = 0, flags = 0;
    std::vector<std::string> names;  // co_varnames (3.9/3.10) or co_localsplusnames
  };
  const CodeInfo* code_info(uint64_t code) const;
  uint64_t wrapped_function(const PythonCallEvent& e, const CodeInfo& own) const;
  std::string attribute_storage(uint64_t instance) const;

  PythonProcess py_;
  RemoteMemory mem_;
  PythonObjects objects_;
  PythonValues values_;
  mutable std::map<uint64_t, CodeInfo> codes_;
};

}  // namespace bpfpads
