// Python's str(float) for metric lines in the MLflow file store: MLflow reads them back
// with float(), and other tools diff these files, so we match CPython's repr exactly.
#pragma once

#include <string>

namespace bpfpads {

// "0.5", "1e-05", "3.0", "1e+16", "nan", "inf", "-inf", "-0.0" (shortest round-trip digits).
std::string python_float_repr(double value);

}  // namespace bpfpads
