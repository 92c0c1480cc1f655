// From a Python path ("json.decoder.JSONDecoder.decode") to what the interpreter
// runs: the module found in sys.modules under the longest prefix, then attributes down
// to a function, and its code object. This is what a mapping file's Python target
// names; the code object is what a watchpoint is placed on.
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
  uint64_t function = 0;   // the function object
  uint64_t code = 0;       // its code object
  std::string qualname;    // "JSONDecoder.decode"
  std::string filename;    // co_filename
  int first_line = 0;      // co_firstlineno
  // The first bytecode unit: co_code_adaptive (3.11+) or co_code's bytes (3.9, 3.10).
  uint64_t first_instruction = 0;
};

class PythonResolver {
 public:
  explicit PythonResolver(const PythonProcess& py) : py_(py), mem_(py.pid), objects_(mem_, py_.layout) {}

  const PythonObjects& objects() const { return objects_; }

  // sys.modules of the main interpreter.
  Result<uint64_t> sys_modules() const;
  // The names in sys.modules (imports seen so far).
  Result<std::vector<std::string>> module_names() const;
  // A dotted path to a function or method; an error says which part was not found.
  Result<PythonFunction> function(const std::string& dotted_path) const;
  // What a code object says about itself.
  Result<PythonFunction> describe_code(uint64_t code) const;

 private:
  PythonProcess py_;
  RemoteMemory mem_;
  PythonObjects objects_;
};

}  // namespace bpfpads
