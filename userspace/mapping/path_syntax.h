// Splits the text of an implicit path key (":a.b.{re:X}", "!!python/pPath a.b") into
// segments. Unlike PyPads, which cut out "{...}" with the regex `({.*?\})`, braces are
// matched by counting, skipping escaped characters and character classes, so a regex
// may itself contain braces: "{re:a{2}}", "{re:[}]}", "{re:\}}".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace bpfpads {

struct PathToken {
  enum class Kind { Literal, Regex, Library, Executable, UsdtProvider };
  Kind kind = Kind::Literal;
  std::string text;  // the name, regex, library name, glob or provider
};

// `text` is the path without its leading ':' or '.'. Segments are separated by '.'
// outside braces; a braced segment ({re:..}, {lib:..}, {exe:..}, {usdt:..}) must be a
// whole segment. Errors name the offset in `text`.
Result<std::vector<PathToken>> split_path(std::string_view text);

}  // namespace bpfpads
