// From a Python path ("json.decoder.JSONDecoder.decode") to what the interpreter
// runs: the module found in sys.modules under the longest prefix, then attributes down
// to a function, and its code object. This is what a mapping file's Python target
// names; the code object is what a watchpoint is placed on. A function defined inside
// another is named by its qualname: "sklearn.base._fit_context.<locals>.decorator.
// <locals>.wrapper" is the one code object behind every method that decorator wraps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "python/python_objects.h"
#include "python/python_process.h"

namespace bpfpads {

struct PythonFunction {
  std::string path;        // as asked
  uint64_t function = 0;   // the function object; 0 for a nested function's code
  uint64_t code = 0;       // its code object
  std::string qualname;    // "JSONDecoder.decode"
  std::string filename;    // co_filename
  int first_line = 0;      // co_firstlineno
  // The first bytecode unit: co_code_adaptive (3.11+) or co_code's bytes (3.9, 3.10).
  uint64_t first_instruction = 0;
};

// Where a code object's calls start and end, for watchpoints: the first unit, each
// return unit, and the frame slot where a returning frame holds its value (the value
// stack's first slot, after the locals and cells: CPython returns with nothing else on
// the stack).
struct CodeUnits {
  struct Return {
    uint64_t address = 0;
    bool constant = false;      // returns co_consts[...]: the value is known here
    uint64_t const_object = 0;  // that constant
  };
  uint64_t entry = 0;
  std::vector<Return> returns;
  uint16_t stack_slot = 0;
};

class PythonResolver {
 public:
  explicit PythonResolver(const PythonProcess& py) : py_(py), mem_(py.pid), objects_(mem_, py_.layout) {}

  const PythonObjects& objects() const { return objects_; }

  // sys.modules of the main interpreter.
  Result<uint64_t> sys_modules() const;
  // The names in sys.modules (imports seen so far).
  Result<std::vector<std::string>> module_names() const;
  // A str attribute of an imported module ("sklearn", "__version__").
  Result<std::string> module_string(const std::string& module, const std::string& attribute) const;
  // A dotted path to a function or method; an error says which part was not found.
  Result<PythonFunction> function(const std::string& dotted_path) const;
  // What a code object says about itself.
  Result<PythonFunction> describe_code(uint64_t code) const;
  // Its entry and return units.
  Result<CodeUnits> code_units(uint64_t code) const;

 private:
  // The code object named `name` among a code object's constants.
  Result<uint64_t> code_constant(uint64_t code, const std::string& name) const;
  Result<PythonFunction> nested_code(uint64_t object, const std::vector<std::string>& parts, size_t i,
                                     const std::string& dotted_path) const;
  PythonProcess py_;
  RemoteMemory mem_;
  PythonObjects objects_;
};

}  // namespace bpfpads
