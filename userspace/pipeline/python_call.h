// A Python call as loggers see it, decoded by userspace/python/ from the watchpoint
// events of its entry and return: plain data, so that the loggers need not read the
// interpreter themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bpfpads {

struct PythonArray {
  std::string name;   // the parameter it was passed as ("X")
  std::vector<int64_t> shape;
  std::string dtype;  // "float64"
};

struct PythonCallInfo {
  // What ran: "RandomForestClassifier.fit" (the instance's class and the method, also
  // behind a decorator's wrapper), "accuracy_score", "train_model".
  std::string function;
  std::string module;  // __module__ of the function that ran (behind a wrapper too)
  std::string file;
  int line = 0;
  bool nested = false;  // called inside another watched call (GridSearchCV's fits)
  // The instance a method ran on (0 for a function): keeps estimators apart.
  uint64_t instance = 0;
  uint64_t instance_type = 0;
  std::string instance_class;
  // Values freed (and their memory reused) before they could be read: left out, and
  // counted here instead of read as something they are not.
  uint32_t gone = 0;
  // The instance's hyperparameters as get_params() names them; empty when it has none.
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::pair<std::string, std::string>> arguments;  // name -> str() (bounded)
  std::vector<PythonArray> arrays;  // the arguments that are numpy arrays
  enum class End { Returned, Unseen, Running };
  End end = End::Returned;  // Unseen: an exception, or a return the watch could not cover
  std::optional<std::string> return_text;  // str() of the returned value
  std::optional<double> return_number;     // when it is an int, float or bool
};

// One call for the pipeline, from the tracker (python/python_tracker.h).
struct PythonCallDone {
  uint32_t hook_id = 0, tgid = 0, tid = 0;
  uint64_t entry_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC; entry 0 where only the return is watched
  PythonCallInfo info;
};

}  // namespace bpfpads
