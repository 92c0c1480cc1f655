// Values of Python objects read from outside, as text the way Python's str() would
// write them for MLflow params: int, float, bool, None, str, tuples and lists of those,
// numpy arrays as their shape and dtype, and an estimator's hyperparameters (the names
// of its class's __init__ parameters, as scikit-learn's get_params() takes them, each
// with its value from the instance's attributes). Everything is bounded; what cannot be
// read or is cut says so in the text instead of being guessed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "python/python_objects.h"

namespace bpfpads {

struct ValueLimits {
  size_t max_str = 1000;     // characters of a str kept
  size_t max_items = 100;    // elements of a tuple/list kept
  int max_depth = 3;         // nested containers
};

class PythonValues {
 public:
  explicit PythonValues(const PythonObjects& objects) : obj_(objects) {}

  // str(value) for scalars and strings, repr-like for containers; "<unreadable>" and
  // "..." mark what could not be read or was cut.
  std::string text(uint64_t object, const ValueLimits& limits = {}) const;

  // An instance attribute (the instance's own dict, managed or not), nullopt if absent.
  Result<std::optional<uint64_t>> instance_attribute(uint64_t object, const std::string& name) const;

  // The names of the parameters of the class's __init__ after self (positional and
  // keyword-only), found along the MRO: what get_params() reports.
  Result<std::vector<std::string>> init_parameter_names(uint64_t cls) const;

  // get_params(deep=False) from outside: each __init__ parameter with the text of the
  // instance attribute of that name ("<missing>" when the instance has none).
  Result<std::vector<std::pair<std::string, std::string>>> estimator_params(uint64_t instance) const;

  // (shape, dtype) of a numpy.ndarray: "(150, 4)", "float64".
  Result<std::pair<std::string, std::string>> ndarray_shape(uint64_t array) const;

 private:
  std::string text_at_depth(uint64_t object, const ValueLimits& limits, int depth) const;
  Result<std::string> int_text(uint64_t object) const;

  const PythonObjects& obj_;
};

}  // namespace bpfpads
