// Errors as values: what failed, errno read right after the failing call, and
// where (file, symbol, argument). Exceptions stop at cli/.
#pragma once

#include <cerrno>
#include <expected>
#include <string>

namespace bpfpads {

struct Error {
  std::string message;  // what failed and, where it helps, the fix
  int err_no = 0;       // errno or -libbpf error, 0 when not a system error
  std::string context;  // file, symbol, argument, URI, ...

  // "context: message: strerror(err_no)"
  std::string describe() const;

  // Prepends context, keeping errno: err.with_context("mlflow.db").
  Error with_context(const std::string& outer) const;
};

template <typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> make_error(std::string message, std::string context = {}) {
  return std::unexpected(Error{std::move(message), 0, std::move(context)});
}

// For a failed system or libbpf call: pass errno (or -ret from libbpf).
inline std::unexpected<Error> make_errno_error(std::string message, int err_no,
                                               std::string context = {}) {
  return std::unexpected(Error{std::move(message), err_no < 0 ? -err_no : err_no,
                               std::move(context)});
}

}  // namespace bpfpads
