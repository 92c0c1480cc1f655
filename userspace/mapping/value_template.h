// Templates of the `extract` section: text with `{name}` placeholders naming captured
// arguments, or `{return}` for the captured return value. `{{` and `}}` stand for
// literal braces. Compiled once at load time; rendered per hook hit.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"

namespace bpfpads {

class ValueTemplate {
 public:
  struct Ref {
    std::string name;
  };
  using Part = std::variant<std::string, Ref>;  // literal text or a placeholder

  // Syntax only: balanced braces, identifier names. Whether the names exist is checked
  // by the caller, which knows the captures.
  static Result<ValueTemplate> compile(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<Part>& parts() const { return parts_; }
  std::vector<std::string> referenced_names() const;

  // Fills the placeholders; a name missing from `values` is an error.
  Result<std::string> render(const std::map<std::string, std::string>& values) const;

 private:
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace bpfpads
