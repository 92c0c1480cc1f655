#include "common/error.h"

#include <cstring>

namespace bpfpads {

std::string Error::describe() const {
  std::string out;
  if (!context.empty()) out += context + ": ";
  out += message;
  if (err_no != 0) out += std::string(": ") + std::strerror(err_no);
  return out;
}

Error Error::with_context(const std::string& outer) const {
  Error e = *this;
  e.context = context.empty() ? outer : outer + ": " + context;
  return e;
}

}  // namespace bpfpads
